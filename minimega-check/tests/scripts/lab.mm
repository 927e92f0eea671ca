# A small lab: two web servers and a database on one VLAN.
# Written for minimega-rs's tests; every line is valid.

namespace lab
vlans add web 101

vm config memory 2048
vm config vcpus 2
vm config disk $images/web.qcow2        # expanded by the daemon
vm config net web
vm config tags role web
vm launch kvm web[1-2]

vm config kernel file:vmlinuz
vm config hostname "db server"
vm lau kvm db                            # abbreviations are fine
vm start all

.columns name,state,ip vm info
mesh send all vm info summary
cc filter hostname=db
cc exec 'systemctl start postgresql'
clear cc filter
