#!/bin/sh
# Runs a command beside a throwaway PostgreSQL: `sh tests/postgres.sh cargo test`.
#
# Starts a fresh cluster in a temporary folder on a free local port (as the `postgres`
# user when run as root: the server refuses to run as root), creates the database
# `tenet`, runs the command with TENET_TEST_POSTGRES=postgres://tenet@127.0.0.1:PORT/tenet
# (and TENET_TEST_POSTGRES_CTL, a script that stops and starts it, for the outage test),
# then stops the server and removes the folder, whatever the command's result. Installs
# Debian's `postgresql` package when no server binaries are found.
set -eu

find_bin() {
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    pg_config --bindir; return 0
  fi
  return 1
}

BIN=$(find_bin) || {
  echo "tests/postgres.sh: no PostgreSQL server binaries; installing Debian's postgresql" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  BIN=$(find_bin)
}

DIR=$(mktemp -d /tmp/tenet-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$DIR"
  AS="runuser -u postgres --"
else
  AS=""
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

stop() {
  $AS "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap stop EXIT INT TERM

$AS "$BIN/initdb" -D "$DIR/data" -U tenet --auth=trust -E UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 || {
  cat "$DIR/initdb.log" >&2; exit 1; }
$AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=on" start >/dev/null || {
  cat "$DIR/server.log" >&2; exit 1; }
$AS "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U tenet tenet

export TENET_TEST_POSTGRES="postgres://tenet@127.0.0.1:$PORT/tenet"
# The outage test (crates/server/tests/log_outage.rs) stops and starts this cluster.
cat >"$DIR/ctl" <<CTL
#!/bin/sh
case "\$1" in
  stop) $AS "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop ;;
  start) $AS "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \\
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=100 -c fsync=on" start ;;
esac
CTL
chmod +x "$DIR/ctl"
export TENET_TEST_POSTGRES_CTL="$DIR/ctl"
echo "tests/postgres.sh: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2
status=0
"$@" || status=$?
exit $status
