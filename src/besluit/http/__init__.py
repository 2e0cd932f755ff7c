"""What the API (besluit.api) and the edge (besluit.edge) share on the wire: RFC 9457
problem details and the ballot's contract. It imports no view, no model and no service.
"""
