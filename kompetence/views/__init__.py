"""The organisation core's pages, one module per area; the urlconfs import the modules."""
