# Mistakes a person makes writing a script by hand.
# Written for minimega-rs's tests; the checker reports every one.

vm config memory 2048
vm lunch kvm web1
vm launch kvm
log level verbose
vm info summary everything
vm s all
mesh send all vmm info
echo "never closed
vm snapshot
read other.mm

vm start all
