# A script of the travels spec (tests/specs/travels.json).
frob 2
echo hello world
