"""QR labels: the codes drawn (``codes``: GS1 Digital Link QR codes as SVG, PNG, a .zip or a
printable PDF sheet), the lot's dates printed on them (``facts``, from the ILMD the lot was
made with), who may print which product's labels (``service``) and the printing page
(``pages``). Built on the genealogy (``trace.lineage``) and the registry."""
