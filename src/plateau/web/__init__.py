"""The web shell: app factory, layout, navigation, home pages and static assets."""
