"""Home delivery (送货上门): households' delivery needs and delivery orders."""
