# Sourced by bench/sockets.sh and bench/subscriptions.sh: what both do before they measure.

# websockets_venv DIR: a venv at DIR/venv with the `websockets` package (15+), made once.
websockets_venv() {
  if [ ! -x "$1/venv/bin/python" ]; then
    python3 -m venv "$1/venv"
    "$1/venv/bin/pip" install -q 'websockets>=15'
  fi
}

# record_machine FILE: the machine and its load average now, printed and written to FILE.
record_machine() {
  {
    echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2}') GiB"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  } | tee "$1"
}
