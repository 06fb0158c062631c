"""`make bench`: the gateway, the workers and the learner model measured against ceilings served
the same way, on the test kit's throw-away stacks (`python -m bench --help`)."""
