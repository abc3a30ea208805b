from tests.recognition.conftest import _fast_password_hash

__all__ = ["_fast_password_hash"]
