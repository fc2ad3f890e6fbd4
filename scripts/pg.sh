#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server from Debian's packages for the
# PostgreSQL mode of the tests and benchmarks (FerretDB keeps its data there).
#   source scripts/pg.sh && pg_start   → exports HERSTART_PG_URL; pg_stop ends it.
# Needs the postgresql package; pg_install installs it when missing (root).

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

pg_install() {
	[ -n "$(pg_bin)" ] && return 0
	echo "installing postgresql (Debian package)…"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
}

pg_start() {
	local bin port
	bin=$(pg_bin)
	[ -n "$bin" ] || { echo "no PostgreSQL server binaries (apt-get install postgresql)"; return 1; }
	PG_DIR=$(mktemp -d /tmp/herstart-pg.XXXXXX)
	port=${HERSTART_PG_PORT:-55432}
	local as=()
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$PG_DIR"
		as=(runuser -u postgres --)
	fi
	"${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log"; return 1; }
	"${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
		-o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null || { cat "$PG_DIR/server.log"; return 1; }
	"${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres herstart
	export HERSTART_PG_URL="postgres://postgres@127.0.0.1:$port/herstart?sslmode=disable"
	PG_AS=("${as[@]}")
	PG_BIN=$bin
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] || return 0
	"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
	rm -rf "$PG_DIR"
	PG_DIR=
}
