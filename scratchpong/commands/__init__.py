"""The commands: the `scratchpong` CLI and the tools around the learning path (play, eval, plot, bench, ...).

Imports run one way: these modules use the learning path (matrix → policy → returns →
rmsprop → frames → episode → train); nothing on the path imports from here.
"""
