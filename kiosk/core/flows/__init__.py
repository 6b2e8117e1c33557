"""The kiosk's flows: every screen it runs, each a flow with one protocol (flow.py), run from
one stack by the router (kiosk.py, with the home screen). host.py is what they share; sitting.py
and offer.py are the ways from one flow to the next; the rest are the flows themselves."""
