# Two web servers, for minimega-rs's script macro test; run in a namespace.
vm config memory 2048
vm config tags role web
vm launch kvm web[1-2]

vm start all
.columns name,state vm info   # what the test reads
