#!/usr/bin/env bash
# Builds the local Docker images the test harness starts with dockertest, for
# machines that reach Debian's packages but no container registry:
#
#   atomdb-test/postgres:15       PostgreSQL 15 from Debian bookworm
#   atomdb-test/mariadb:10.11     MariaDB 10.11 from Debian bookworm
#   atomdb-test/ferretdb:1.24     FerretDB (MongoDB wire protocol), built from
#                                 tools/ferretdb, on a static busybox
#   atomdb-test/galera:10.11      a MariaDB 10.11 Galera node (galera-4), for
#                                 the multi-node topology tests (tests/topology)
#
#   bash scripts/images.sh           build what is missing or stale, then print
#                                    ATOMDB_TEST_*_IMAGE=... lines on stdout
#   bash scripts/images.sh --rebuild build all four again
#
# Every server listens on all of the container's addresses, with no password
# (PostgreSQL: user postgres, trust; MariaDB: root with an empty password),
# and a database named test; durability is off (fsync and friends) since the
# data lives only as long as the container. Each image runs an entrypoint
# written here (/entry.sh) that execs the server as PID 1, so that a signal
# to PID 1 stops it.
#
# The Debian images are made with debootstrap (minbase) from the mirror the
# machine's apt sources already use (ATOMDB_DEBIAN_MIRROR overrides it), then
# `docker import`ed; the data directory is initialised at build time so a
# container is ready within a second or two. Each image carries a label
# atomdb.recipe, a hash of what built it (this script's recipe for it, the
# entrypoint, and for FerretDB the sources in tools/ferretdb): an image is
# rebuilt only when that hash changes. First build: about a minute for each
# Debian image and one for FerretDB; a cached run takes a second.
#
# Needs root (debootstrap, chroot), docker with a running engine, debootstrap
# and go. Concurrent runs are serialised with a lock file.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SUITE=bookworm
STATE="${XDG_CACHE_HOME:-$HOME/.cache}/atomdb"
REBUILD=""

case "${1:-}" in
--rebuild) REBUILD=1 ;;
"") ;;
*)
	echo "usage: bash scripts/images.sh [--rebuild]" >&2
	exit 2
	;;
esac

log() { printf '    %s\n' "$*" >&2; }
die() {
	printf 'scripts/images.sh: %s\n' "$*" >&2
	exit 1
}

# debian_mirror prints the URI of the machine's apt source for a Debian
# release suite (the host's codename, or bookworm), from deb822 .sources
# files or one-line .list files.
debian_mirror() {
	if [[ -n "${ATOMDB_DEBIAN_MIRROR:-}" ]]; then
		echo "$ATOMDB_DEBIAN_MIRROR"
		return 0
	fi
	local codename=""
	if [[ -r /etc/os-release ]]; then
		# shellcheck disable=SC1091 # the host's, read at run time
		codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
	fi
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f "$f" ]] || continue
		# deb822 stanzas, separated by blank lines.
		uri="$(awk -v a="$codename" -v b="$SUITE" '
			function flush() {
				if (!done && types ~ / deb( |$)/) {
					n = split(suites, ss, " ")
					for (i = 1; i <= n; i++) if (ss[i] == a || ss[i] == b) { split(uris, us, " "); print us[1]; done = 1; exit }
				}
				types = ""; uris = ""; suites = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			tolower($1) == "types:" { $1 = ""; types = $0 }
			tolower($1) == "uris:" { $1 = ""; uris = $0 }
			tolower($1) == "suites:" { $1 = ""; suites = $0 }
			END { flush() }
		' "$f")"
		if [[ -n "$uri" ]]; then
			echo "$uri"
			return 0
		fi
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f "$f" ]] || continue
		# One-line entries: deb [options] URI SUITE COMPONENTS...
		uri="$(awk -v a="$codename" -v b="$SUITE" '
			$1 == "deb" {
				i = 2
				if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
				if ($(i + 1) == a || $(i + 1) == b) { print $i; exit }
			}
		' "$f")"
		if [[ -n "$uri" ]]; then
			echo "$uri"
			return 0
		fi
	done
	return 1
}

# recipe_hash NAME EXTRA...: a hash of the named recipe's functions and the
# extra files given.
recipe_hash() {
	local name=$1
	shift
	{
		declare -f "recipe_$name" "entry_$name"
		local f
		for f in "$@"; do
			cat "$f"
		done
	} | sha256sum | cut -c1-16
}

# image_recipe IMAGE: the atomdb.recipe label of IMAGE, or nothing.
image_recipe() {
	docker image inspect --format '{{index .Config.Labels "atomdb.recipe"}}' "$1" 2>/dev/null || true
}

# import_rootfs DIR IMAGE HASH [--change ...]: docker import DIR as IMAGE.
import_rootfs() {
	local dir=$1 image=$2 hash=$3
	shift 3
	tar -C "$dir" -c . | docker import \
		--change "LABEL atomdb.recipe=$hash" \
		--change 'CMD ["/entry.sh"]' \
		"$@" - "$image" >/dev/null
}

# debootstrap_root DIR PACKAGES: a minbase bookworm root file system in DIR.
debootstrap_root() {
	local dir=$1 pkgs=$2 mirror
	mirror="$(debian_mirror)" || die "no Debian source for $SUITE in /etc/apt/sources.list{,.d} (set ATOMDB_DEBIAN_MIRROR)"
	log "debootstrap $SUITE ($pkgs) from $mirror"
	if ! debootstrap --variant=minbase --include="$pkgs" "$SUITE" "$dir" "$mirror" >"$dir.log" 2>&1; then
		tail -n 30 "$dir.log" >&2
		die "debootstrap failed (log above)"
	fi
	# No package caches or documentation in the image.
	rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/usr/share/doc "$dir"/usr/share/man
}

# ---------------------------------------------------------------- PostgreSQL

entry_postgres() {
	cat <<'EOF'
#!/bin/sh
# Written by atomdb's scripts/images.sh. PostgreSQL 15 for tests: user
# postgres, trust authentication from anywhere, database test, no durability.
#   /entry.sh init   (at build time) create the cluster
#   /entry.sh        run the server as PID 1
set -eu
PGBIN=/usr/lib/postgresql/15/bin
PGDATA=/var/lib/postgresql/data
if [ "${1:-}" = init ]; then
	"$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >/dev/null
	cat >>"$PGDATA/postgresql.conf" <<'CONF'
listen_addresses = '*'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
	printf 'host all all 0.0.0.0/0 trust\nhost all all ::/0 trust\n' >>"$PGDATA/pg_hba.conf"
	echo 'CREATE DATABASE test' | "$PGBIN/postgres" --single -D "$PGDATA" -c log_min_messages=warning postgres >/dev/null
	exit 0
fi
exec "$PGBIN/postgres" -D "$PGDATA"
EOF
}

recipe_postgres() {
	local dir=$1
	debootstrap_root "$dir" postgresql-15
	entry_postgres >"$dir/entry.sh"
	chmod 755 "$dir/entry.sh"
	mkdir -p "$dir/var/lib/postgresql/data" "$dir/var/run/postgresql"
	chroot "$dir" chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql
	chmod 700 "$dir/var/lib/postgresql/data"
	chroot --userspec=postgres:postgres "$dir" /entry.sh init
	import_rootfs "$dir" "$2" "$3" --change 'USER postgres'
}

# ------------------------------------------------------------------- MariaDB

entry_mariadb() {
	cat <<'EOF'
#!/bin/sh
# Written by atomdb's scripts/images.sh. MariaDB 10.11 for tests: root with
# an empty password from anywhere, database test, no durability.
#   /entry.sh init   (at build time) create the data directory
#   /entry.sh        run the server as PID 1
set -eu
if [ "${1:-}" = init ]; then
	# No DNS nor /etc/hosts at build time: --skip-name-resolve --force (else it
	# insists on resolving the host name).
	mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db --skip-name-resolve --force \
		>/tmp/install-db.log 2>&1 || {
		cat /tmp/install-db.log >&2
		exit 1
	}
	rm -f /tmp/install-db.log
	cat >/etc/mysql/atomdb-init.sql <<'SQL'
CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS test;
SQL
	exit 0
fi
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld
# The init file runs before the server accepts connections, so the first
# connection that succeeds finds root@'%' and the database test.
exec mariadbd --user=mysql --datadir=/var/lib/mysql --bind-address=0.0.0.0 \
	--skip-name-resolve --init-file=/etc/mysql/atomdb-init.sql --max-connections=300 \
	--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --skip-log-bin
EOF
}

recipe_mariadb() {
	local dir=$1
	debootstrap_root "$dir" mariadb-server
	entry_mariadb >"$dir/entry.sh"
	chmod 755 "$dir/entry.sh"
	chroot "$dir" /entry.sh init
	import_rootfs "$dir" "$2" "$3"
}

# ------------------------------------------------------------ MariaDB Galera

entry_galera() {
	cat <<'EOF'
#!/bin/sh
# Written by atomdb's scripts/images.sh. One node of a MariaDB 10.11 Galera
# cluster for tests: root with an empty password from anywhere, database
# test, no durability, every table required to have a primary key.
#   /entry.sh init     (at build time) create the data directory
#   /entry.sh [OPTS]   run the node as PID 1, with extra mariadbd options
#                      (--wsrep-new-cluster on the node that bootstraps)
# The environment names the cluster: GALERA_NODES, the node addresses
# separated by commas; GALERA_ADDRESS, this node's.
set -eu
if [ "${1:-}" = init ]; then
	mariadb-install-db --user=mysql --datadir=/var/lib/mysql --skip-test-db --skip-name-resolve --force \
		--innodb-log-file-size=8M >/tmp/install-db.log 2>&1 || {
		cat /tmp/install-db.log >&2
		exit 1
	}
	rm -f /tmp/install-db.log
	# Users and the database are made now, in bootstrap mode, so the first
	# node has them from its first second and the others get them by SST.
	# (FLUSH PRIVILEGES loads the grant tables, which bootstrap mode skips.)
	mariadbd --bootstrap --user=mysql --datadir=/var/lib/mysql --innodb-log-file-size=8M --skip-log-bin <<'SQL' >/dev/null
FLUSH PRIVILEGES;
CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS test;
SQL
	exit 0
fi
: "${GALERA_NODES:?GALERA_NODES names no node addresses}" "${GALERA_ADDRESS:?GALERA_ADDRESS is not set}"
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld
exec mariadbd --user=mysql --datadir=/var/lib/mysql --bind-address=0.0.0.0 \
	--skip-name-resolve --max-connections=300 --innodb-log-file-size=8M --innodb-buffer-pool-size=64M \
	--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --skip-log-bin \
	--binlog-format=ROW --innodb-autoinc-lock-mode=2 \
	--wsrep-on=ON --wsrep-provider=/usr/lib/galera/libgalera_smm.so \
	--wsrep-cluster-name=atomdb --wsrep-cluster-address="gcomm://$GALERA_NODES" \
	--wsrep-node-address="$GALERA_ADDRESS" --wsrep-sst-method=rsync \
	--wsrep-provider-options="gcache.size=16M" --wsrep-mode=REQUIRED_PRIMARY_KEY "$@"
EOF
}

recipe_galera() {
	local dir=$1
	debootstrap_root "$dir" mariadb-server,galera-4,rsync,socat,iproute2
	entry_galera >"$dir/entry.sh"
	chmod 755 "$dir/entry.sh"
	chroot "$dir" /entry.sh init
	import_rootfs "$dir" "$2" "$3"
}

# ------------------------------------------------------------------ FerretDB

entry_ferretdb() {
	cat <<'EOF'
#!/bin/sh
# Written by atomdb's scripts/images.sh. FerretDB (tools/ferretdb) on SQLite:
# MongoDB wire protocol on port 27017, no authentication, run as PID 1.
#   /entry.sh health   exit 0 when something listens on port 27017 (hex 6989),
#                      for docker-compose.yml's healthcheck (no mongosh here)
if [ "${1:-}" = health ]; then
	exec grep -q ':6989 0*:0000 0A' /proc/net/tcp /proc/net/tcp6
fi
exec /usr/local/bin/ferretdb -listen 0.0.0.0:27017 -dir /data -log-level warn
EOF
}

recipe_ferretdb() {
	local dir=$1
	mkdir -p "$dir/bin" "$dir/usr/local/bin" "$dir/data" "$dir/tmp"
	chmod 1777 "$dir/tmp"
	log "go build tools/ferretdb (static, CGO_ENABLED=0)"
	# Its output (a line per module downloaded) only when it fails.
	(cd "$ROOT/tools/ferretdb" && CGO_ENABLED=0 go build -trimpath -o "$dir/usr/local/bin/ferretdb" .) \
		>"$dir.go-build.log" 2>&1 || {
		cat "$dir.go-build.log" >&2
		die "go build tools/ferretdb failed"
	}
	# A shell (and sleep, kill) for the entrypoint and the harness's expiry
	# timer: Debian's static busybox, unpacked, not installed on the host.
	log "busybox-static from Debian"
	(cd "$dir" && apt-get download -q -o APT::Sandbox::User=root busybox-static >/dev/null) || die "apt-get download busybox-static failed"
	dpkg-deb -x "$dir"/busybox-static_*.deb "$dir/unpacked"
	mv "$dir/unpacked/bin/busybox" "$dir/bin/busybox"
	rm -rf "$dir/unpacked" "$dir"/busybox-static_*.deb
	local app
	for app in sh sleep kill cat ls grep; do
		ln -s busybox "$dir/bin/$app"
	done
	entry_ferretdb >"$dir/entry.sh"
	chmod 755 "$dir/entry.sh"
	import_rootfs "$dir" "$2" "$3"
}

# ---------------------------------------------------------------------- main

# ensure NAME IMAGE HASH: build IMAGE with recipe_NAME unless it exists with
# the same recipe hash. Run in a subshell of its own (see below).
ensure() {
	local name=$1 image=$2 hash=$3
	if [[ -z "$REBUILD" && "$(image_recipe "$image")" == "$hash" ]]; then
		log "$image up to date (recipe $hash)"
		return 0
	fi
	log "building $image (recipe $hash)"
	local start=$SECONDS
	BUILD_DIR="$(mktemp -d "$BUILD_BASE/atomdb-build-$name.XXXXXX")"
	# A failed or interrupted build leaves nothing behind (a root file
	# system is about 600 MB).
	# shellcheck disable=SC2064 # expand now
	trap "printf 'scripts/images.sh: building %s failed (output above)\\n' '$image' >&2; rm -rf '$BUILD_DIR'" EXIT
	"recipe_$name" "$BUILD_DIR/root" "$image" "$hash"
	trap - EXIT
	rm -rf "$BUILD_DIR"
	log "built $image in $((SECONDS - start)) s"
}

command -v docker >/dev/null || die "docker not found"
docker info >/dev/null 2>&1 || die "no Docker engine answers (start dockerd first)"
if [[ $EUID -ne 0 ]]; then
	die "needs root (debootstrap and chroot)"
fi
mkdir -p "$STATE"
# Root file systems are built in memory when there is room (dpkg's many
# fsyncs cost nothing on tmpfs), else under $STATE.
BUILD_BASE="$STATE"
if [[ -d /dev/shm ]] && (($(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $4}') > 3 * 1024 * 1024)); then
	BUILD_BASE=/dev/shm
fi
exec 9>"$STATE/images.lock"
flock 9

PG_IMAGE=atomdb-test/postgres:15
MARIADB_IMAGE=atomdb-test/mariadb:10.11
FERRETDB_IMAGE=atomdb-test/ferretdb:1.24
GALERA_IMAGE=atomdb-test/galera:10.11
FERRET_SRC=("$ROOT/tools/ferretdb/go.mod" "$ROOT/tools/ferretdb/go.sum" "$ROOT/tools/ferretdb/main.go")

# The builds run at once (downloads, dpkg and go build overlap), each
# in a subshell whose output lines carry its name.
pids=()
names=()
build() { # NAME IMAGE HASH
	(ensure "$@") 2> >(sed -u "s/^/[$1] /" >&2) &
	pids+=($!)
	names+=("$1")
}
build postgres "$PG_IMAGE" "$(recipe_hash postgres)"
build mariadb "$MARIADB_IMAGE" "$(recipe_hash mariadb)"
build ferretdb "$FERRETDB_IMAGE" "$(recipe_hash ferretdb "${FERRET_SRC[@]}")"
build galera "$GALERA_IMAGE" "$(recipe_hash galera)"
failed=()
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || failed+=("${names[$i]}")
done
((${#failed[@]} == 0)) || die "could not build: ${failed[*]}"

echo "ATOMDB_TEST_POSTGRES_IMAGE=$PG_IMAGE"
echo "ATOMDB_TEST_MYSQL_IMAGE=$MARIADB_IMAGE"
echo "ATOMDB_TEST_MONGO_IMAGE=$FERRETDB_IMAGE"
echo "ATOMDB_TEST_GALERA_IMAGE=$GALERA_IMAGE"
