#!/usr/bin/env bash
# atomdb's one test command: bash scripts/test.sh [--local]
#
# Runs gofmt, go vet, staticcheck, go test -race in the root module (the
# integration suite in tests/ on SQLite, PostgreSQL, MariaDB/MySQL and
# MongoDB), a short run of each fuzz test, the build, vet and unit tests
# again with the other supported Go release (go1.27.3), and vet + one pass of the
# benchmarks in bench/ (its own module).
#
# Where the servers come from:
#
#   (default)  containers that the test harness starts with dockertest, one
#              per backend, removed when the tests end. The script installs
#              and starts a Docker engine when none answers (apt-get install
#              docker.io debootstrap; dockerd in the background, left
#              running), builds the local images with scripts/images.sh
#              (PostgreSQL 15, MariaDB 10.11, FerretDB; about 3 minutes the
#              first time, cached afterwards) and exports
#              ATOMDB_TEST_{POSTGRES,MYSQL,MONGO}_IMAGE (unless set). A backend
#              whose URL is already set (ATOMDB_TEST_POSTGRES=..., see below)
#              uses that server instead.
#   --local    the host's own servers on 127.0.0.1, started when installed
#              but stopped, and FerretDB built from tools/ferretdb and left
#              running; exports their URLs (see setup_* below). No Docker.
#
# With CI set: the default mode only; the URL variables are unset and
# ATOMDB_TEST_REQUIRE=postgres,mysql,mongo,docker, so a backend that is not
# served by a container fails the run, and so does a test container still
# present at the end. Outside CI a backend that cannot be had is skipped with
# the reason printed.
#
# Idempotent: what is installed, running or built is reused.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CACHE="$ROOT/.cache"
FERRETDB_BIN="$CACHE/bin/ferretdb"
# FerretDB keeps running after the script, and a later run from another
# checkout reuses it: its state and log must not live in a checkout that may
# be deleted (FerretDB then cannot create databases), so they are per user.
SHARED_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/atomdb"
FERRETDB_LOG="$SHARED_CACHE/ferretdb.log"
FERRETDB_DATA="$SHARED_CACHE/ferretdb-data"

IN_CI=""
if [[ -n "${CI:-}" && "${CI}" != "false" && "${CI}" != "0" ]]; then
	IN_CI=1
fi

MODE=containers
case "${1:-}" in
--local) MODE=local ;;
"") ;;
*)
	echo "usage: bash scripts/test.sh [--local]" >&2
	exit 2
	;;
esac
if [[ -n "$IN_CI" && "$MODE" != containers ]]; then
	echo "scripts/test.sh: CI runs the suite through dockertest only; --local is for development" >&2
	exit 2
fi

header() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() {
	printf '\nFAIL: %s\n' "$*" >&2
	exit 1
}

# Backends that could not be brought up, as "name: reason" lines.
UNAVAILABLE=()
unavailable() { # backend reason
	UNAVAILABLE+=("$1: $2")
	if [[ -n "$IN_CI" ]]; then
		printf '    ERROR: %s backend unavailable: %s\n' "$1" "$2" >&2
	else
		printf '    skipping %s: %s\n' "$1" "$2"
	fi
}

have() { command -v "$1" >/dev/null 2>&1; }

# tcp_open HOST PORT: does HOST:PORT accept a TCP connection (within ~2 s)?
tcp_open() {
	# shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
	timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" >/dev/null 2>&1
}

# wait_for SECONDS CMD...: poll CMD every 0.5 s until it succeeds or time runs out.
wait_for() {
	local secs=$1
	shift
	local deadline=$((SECONDS + secs))
	until "$@"; do
		if ((SECONDS >= deadline)); then
			return 1
		fi
		sleep 0.5
	done
}

# ---------------------------------------------------------------- PostgreSQL

pg_up() {
	if have pg_isready; then
		pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1
	else
		tcp_open 127.0.0.1 5432
	fi
}

setup_postgres() {
	header "PostgreSQL (127.0.0.1:5432)"
	if [[ -n "${ATOMDB_TEST_POSTGRES:-}" ]]; then
		note "ATOMDB_TEST_POSTGRES already set; using it as is"
		return 0
	fi
	if ! pg_up; then
		if ! have pg_ctlcluster || ! compgen -G '/etc/postgresql/*' >/dev/null; then
			unavailable postgres "nothing answers on 127.0.0.1:5432 and no local cluster (pg_ctlcluster, /etc/postgresql) to start"
			return 0
		fi
		local ver
		# shellcheck disable=SC2012 # cluster versions are plain numbers
		ver="$(ls /etc/postgresql | sort -V | tail -n 1)"
		note "not answering; starting cluster $ver/main"
		# Non-zero when the cluster is already running but not answering yet: keep waiting.
		pg_ctlcluster --skip-systemctl-redirect "$ver" main start </dev/null >/dev/null 2>&1 || true
		if ! wait_for 60 pg_up; then
			unavailable postgres "started cluster $ver/main but 127.0.0.1:5432 did not answer within 60 s"
			return 0
		fi
	fi
	note "answering"
	if have psql; then
		local exists
		exists="$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -tAc \
			"SELECT 1 FROM pg_database WHERE datname = 'test'" </dev/null 2>&1)" || {
			unavailable postgres "cannot connect as postgres without a password: $exists"
			return 0
		}
		if [[ "$exists" != "1" ]]; then
			note "creating database test"
			local out
			out="$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -qc 'CREATE DATABASE test' </dev/null 2>&1)" || {
				# Lost a race with another run? Fine if it exists now.
				exists="$(psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -tAc \
					"SELECT 1 FROM pg_database WHERE datname = 'test'" </dev/null 2>&1)" || true
				if [[ "$exists" != "1" ]]; then
					unavailable postgres "cannot create database test: $out"
					return 0
				fi
			}
		fi
	else
		note "psql not found; assuming database test exists"
	fi
	export ATOMDB_TEST_POSTGRES="postgres://postgres@127.0.0.1:5432/test"
	note "ATOMDB_TEST_POSTGRES=$ATOMDB_TEST_POSTGRES"
}

# ------------------------------------------------------------------- MariaDB

mysql_client() {
	if have mariadb; then
		mariadb "$@"
	else
		mysql "$@"
	fi
}

mysql_up() {
	if have mariadb-admin; then
		mariadb-admin -h127.0.0.1 -P3306 -uroot --connect-timeout=2 ping >/dev/null 2>&1
	elif have mysqladmin; then
		mysqladmin -h127.0.0.1 -P3306 -uroot --connect-timeout=2 ping >/dev/null 2>&1
	else
		tcp_open 127.0.0.1 3306
	fi
}

setup_mysql() {
	header "MariaDB/MySQL (127.0.0.1:3306)"
	if [[ -n "${ATOMDB_TEST_MYSQL:-}" ]]; then
		note "ATOMDB_TEST_MYSQL already set; using it as is"
		return 0
	fi
	if ! mysql_up; then
		if ! have start-stop-daemon || [[ ! -x /usr/sbin/mariadbd ]]; then
			unavailable mysql "nothing answers on 127.0.0.1:3306 and no local MariaDB (/usr/sbin/mariadbd) to start"
			return 0
		fi
		note "not answering; starting /usr/sbin/mariadbd"
		start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd </dev/null >/dev/null 2>&1 || true
		if ! wait_for 60 mysql_up; then
			unavailable mysql "started /usr/sbin/mariadbd but 127.0.0.1:3306 did not answer within 60 s"
			return 0
		fi
	fi
	note "answering"
	if have mariadb || have mysql; then
		local out
		out="$(mysql_client -h127.0.0.1 -P3306 -uroot -e 'CREATE DATABASE IF NOT EXISTS test' </dev/null 2>&1)" || {
			unavailable mysql "cannot create database test as root without a password: $out"
			return 0
		}
	else
		note "no mariadb/mysql client; assuming database test exists"
	fi
	export ATOMDB_TEST_MYSQL="mysql://root@127.0.0.1:3306/test"
	note "ATOMDB_TEST_MYSQL=$ATOMDB_TEST_MYSQL"
}

# ---------------------------------------------------------- MongoDB/FerretDB

# build_ferretdb: (re)build .cache/bin/ferretdb when missing or older than
# any file under tools/ferretdb. Returns non-zero (after printing why) on failure.
build_ferretdb() {
	local src="$ROOT/tools/ferretdb"
	if [[ ! -f "$src/go.mod" ]]; then
		echo "tools/ferretdb/go.mod not found" >&2
		return 1
	fi
	if [[ -x "$FERRETDB_BIN" ]] && [[ -z "$(find "$src" -type f -newer "$FERRETDB_BIN" -print -quit)" ]]; then
		note "FerretDB binary up to date (.cache/bin/ferretdb)"
		return 0
	fi
	note "building tools/ferretdb -> .cache/bin/ferretdb (first build takes about a minute)"
	mkdir -p "$CACHE/bin"
	local start=$SECONDS
	# Build to a temporary name so an interrupted build never leaves a
	# half-written binary that looks up to date.
	if ! (cd "$src" && go build -o "$FERRETDB_BIN.tmp" .); then
		rm -f "$FERRETDB_BIN.tmp"
		return 1
	fi
	mv -f "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
	note "built in $((SECONDS - start)) s"
}

setup_mongo() {
	header "MongoDB via FerretDB (127.0.0.1:27017)"
	if [[ -n "${ATOMDB_TEST_MONGO:-}" ]]; then
		note "ATOMDB_TEST_MONGO already set; using it as is"
		return 0
	fi
	if ! have go; then
		unavailable mongo "go not found, cannot build tools/ferretdb"
		return 0
	fi
	if ! build_ferretdb; then
		unavailable mongo "building tools/ferretdb failed (see the output above)"
		return 0
	fi
	if tcp_open 127.0.0.1 27017; then
		note "127.0.0.1:27017 already accepts connections; reusing it"
	else
		mkdir -p "$FERRETDB_DATA"
		# FerretDB logs every failed command in full; keep the log bounded.
		if [[ -f "$FERRETDB_LOG" ]] && (($(stat -c %s "$FERRETDB_LOG") > 20 * 1024 * 1024)); then
			mv -f "$FERRETDB_LOG" "$FERRETDB_LOG.old"
		fi
		note "starting FerretDB (log: $FERRETDB_LOG, state: $FERRETDB_DATA)"
		printf '\n--- %s: started by scripts/test.sh\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$FERRETDB_LOG"
		# setsid + nohup + no shared fds: it outlives this script (and CI's
		# process group) and is reused by the next run.
		setsid nohup "$FERRETDB_BIN" -listen 127.0.0.1:27017 -dir "$FERRETDB_DATA" \
			</dev/null >>"$FERRETDB_LOG" 2>&1 &
		local pid=$!
		local deadline=$((SECONDS + 60))
		until tcp_open 127.0.0.1 27017; do
			if ! kill -0 "$pid" 2>/dev/null; then
				# It may have lost a race for the port to another FerretDB that now answers.
				if tcp_open 127.0.0.1 27017; then
					break
				fi
				note "last lines of $FERRETDB_LOG:"
				tail -n 20 "$FERRETDB_LOG" | sed 's/^/      /' >&2
				unavailable mongo "FerretDB exited before accepting connections on 127.0.0.1:27017"
				return 0
			fi
			if ((SECONDS >= deadline)); then
				note "last lines of $FERRETDB_LOG:"
				tail -n 20 "$FERRETDB_LOG" | sed 's/^/      /' >&2
				kill "$pid" 2>/dev/null || true
				unavailable mongo "FerretDB (pid $pid, now stopped) did not accept connections on 127.0.0.1:27017 within 60 s"
				return 0
			fi
			sleep 0.5
		done
		note "FerretDB accepting connections (pid $pid, left running)"
	fi
	export ATOMDB_TEST_MONGO="mongodb://127.0.0.1:27017/"
	note "ATOMDB_TEST_MONGO=$ATOMDB_TEST_MONGO"
}

# ------------------------------------------------------------------ Docker

# Packages apt-get installs when missing, after one apt-get update.
APT_UPDATED=""
apt_install() { # package...
	if [[ $EUID -ne 0 ]] || ! have apt-get; then
		echo "not root or no apt-get, cannot install $*" >&2
		return 1
	fi
	if [[ -z "$APT_UPDATED" ]]; then
		note "apt-get update"
		apt-get update -q >/dev/null || return 1
		APT_UPDATED=1
	fi
	note "apt-get install $*"
	DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1 apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

docker_up() { docker info >/dev/null 2>&1; }

DOCKERD_LOG="$SHARED_CACHE/dockerd.log"

# setup_engine: a Docker engine answering on the default socket.
setup_engine() {
	local missing=()
	have dockerd || missing+=(docker.io)
	have debootstrap || missing+=(debootstrap)
	if ! docker compose version >/dev/null 2>&1 && ! have docker-compose; then
		missing+=(docker-compose)
	fi
	if ((${#missing[@]} > 0)); then
		apt_install "${missing[@]}" || return 1
	fi
	have docker || {
		echo "no docker client after installing docker.io" >&2
		return 1
	}
	if docker_up; then
		note "Docker engine answering ($(docker info --format '{{.ServerVersion}}' 2>/dev/null))"
		return 0
	fi
	mkdir -p "$SHARED_CACHE"
	note "no Docker engine answers; starting dockerd (log: $DOCKERD_LOG, left running)"
	# setsid + no shared fds: it outlives this script and is reused.
	setsid dockerd </dev/null >>"$DOCKERD_LOG" 2>&1 &
	if ! wait_for 60 docker_up; then
		tail -n 20 "$DOCKERD_LOG" | sed 's/^/      /' >&2
		echo "dockerd did not answer within 60 s (its log above)" >&2
		return 1
	fi
	note "Docker engine answering ($(docker info --format '{{.ServerVersion}}' 2>/dev/null))"
}

# setup_images: the local images, and the variables naming them.
setup_images() {
	if [[ -n "${ATOMDB_TEST_POSTGRES_IMAGE:-}" && -n "${ATOMDB_TEST_MYSQL_IMAGE:-}" && -n "${ATOMDB_TEST_MONGO_IMAGE:-}" &&
		-n "${ATOMDB_TEST_GALERA_IMAGE:-}" ]]; then
		note "ATOMDB_TEST_*_IMAGE all set; building nothing"
		return 0
	fi
	local out line
	out="$(bash "$ROOT/scripts/images.sh")" || return 1
	while IFS= read -r line; do
		local var=${line%%=*}
		if [[ -z "${!var:-}" ]]; then
			export "${line?}"
		fi
		note "$var=${!var}"
	done <<<"$out"
}

# check_compose: docker-compose.yml is valid, with the public images and
# with the local ones.
check_compose() {
	header "docker-compose.yml (compose config)"
	local compose=(docker compose)
	if ! docker compose version >/dev/null 2>&1; then
		if ! have docker-compose; then
			unavailable compose "neither docker compose nor docker-compose is installed"
			return 0
		fi
		compose=(docker-compose)
	fi
	local out
	# The public images (a user's defaults).
	out="$(env -u ATOMDB_TEST_POSTGRES_IMAGE -u ATOMDB_TEST_MYSQL_IMAGE -u ATOMDB_TEST_MONGO_IMAGE \
		"${compose[@]}" -f "$ROOT/docker-compose.yml" config 2>&1)" || {
		printf '%s\n' "$out" >&2
		die "${compose[*]} config rejects docker-compose.yml"
	}
	note "${compose[*]} config: valid; images $(grep -E '^ *image:' <<<"$out" | awk '{print $2}' | paste -sd' ')"
	out="$("${compose[@]}" -f "$ROOT/docker-compose.yml" config 2>&1)" || {
		printf '%s\n' "$out" >&2
		die "${compose[*]} config rejects docker-compose.yml with this run's image variables"
	}
	note "with this run's variables: images $(grep -E '^ *image:' <<<"$out" | awk '{print $2}' | paste -sd' ')"
}

setup_containers() {
	header "Docker engine and test images (backends from dockertest containers)"
	if [[ -n "$IN_CI" ]]; then
		local v
		for v in ATOMDB_TEST_POSTGRES ATOMDB_TEST_MYSQL ATOMDB_TEST_MONGO; do
			if [[ -n "${!v:-}" ]]; then
				note "CI: unsetting $v (the backend must come from a container)"
				unset "$v"
			fi
		done
	elif [[ -n "${ATOMDB_TEST_POSTGRES:-}" && -n "${ATOMDB_TEST_MYSQL:-}" && -n "${ATOMDB_TEST_MONGO:-}" ]]; then
		note "ATOMDB_TEST_POSTGRES, _MYSQL and _MONGO all set: using those servers, no containers"
		return 0
	fi
	local v
	for v in ATOMDB_TEST_POSTGRES ATOMDB_TEST_MYSQL ATOMDB_TEST_MONGO; do
		[[ -z "${!v:-}" ]] || note "$v set: that backend uses it, not a container"
	done
	local start=$SECONDS
	if ! setup_engine; then
		unavailable docker "no Docker engine could be brought up (see above); the harness cannot start containers"
		return 0
	fi
	if ! setup_images; then
		unavailable docker "building the test images failed (see above)"
		return 0
	fi
	note "ready in $((SECONDS - start)) s"
	check_compose
}

# ------------------------------------------------------------------ backends

if [[ -n "$IN_CI" ]]; then
	export ATOMDB_TEST_REQUIRE=postgres,mysql,mongo,docker
fi

if [[ "$MODE" == local ]]; then
	setup_postgres
	setup_mysql
	setup_mongo
else
	setup_containers
fi

if ((${#UNAVAILABLE[@]} > 0)) && [[ -n "$IN_CI" ]]; then
	printf '\nFAIL: CI requires every backend (ATOMDB_TEST_REQUIRE=%s), but:\n' "$ATOMDB_TEST_REQUIRE" >&2
	printf '  - %s\n' "${UNAVAILABLE[@]}" >&2
	exit 1
fi

# --------------------------------------------------------------------- checks

# has_packages: does ./... match any package in the current module? A module
# that go list cannot load counts as "yes", so the next step reports the error.
has_packages() {
	local out
	out="$(go list ./... 2>/dev/null)" || return 0
	[[ -n "$out" ]]
}

header "gofmt -l (tracked and new .go files)"
gofiles=()
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	while IFS= read -r -d '' f; do
		[[ -f "$f" ]] && gofiles+=("$f")
	done < <(git ls-files -z --cached --others --exclude-standard -- '*.go')
else
	while IFS= read -r -d '' f; do
		gofiles+=("$f")
	done < <(find . -name '*.go' -not -path './.cache/*' -not -path '*/vendor/*' -print0)
fi
if ((${#gofiles[@]} == 0)); then
	note "no .go files"
else
	unformatted="$(gofmt -l "${gofiles[@]}")" || die "gofmt could not parse the files above"
	if [[ -n "$unformatted" ]]; then
		printf '%s\n' "$unformatted" >&2
		die "gofmt: the files above need formatting (run gofmt -w on them)"
	fi
	note "${#gofiles[@]} files formatted"
fi

header "go vet ./... (root module)"
if has_packages; then
	go vet ./...
else
	note "no packages in the root module yet; skipping"
fi

# staticcheck, pinned, run from the module proxy (cached after the first run).
header "staticcheck ./... (root module)"
if has_packages; then
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
fi

header "go test -race -count=1 ./... (root module)"
if has_packages; then
	# The harness appends what it starts and removes to this file (go test
	# shows a passing package's output only with -v).
	CONTAINER_LOG="$(mktemp "${TMPDIR:-/tmp}/atomdb-containers.XXXXXX")"
	export ATOMDB_TEST_CONTAINER_LOG="$CONTAINER_LOG"
	rc=0
	go test -race -count=1 ./... || rc=$?
	unset ATOMDB_TEST_CONTAINER_LOG
	header "test containers (from the harness)"
	if [[ -s "$CONTAINER_LOG" ]]; then
		sed 's/^atomdb tests: /    /' "$CONTAINER_LOG"
	else
		note "none: every server came from a URL"
	fi
	if docker_up; then
		note "docker ps -a --filter label=atomdb.test:"
		docker ps -a --filter label=atomdb.test --format '{{.Names}}  {{.Image}}  {{.Status}}' | sed 's/^/      /'
	fi
	((rc == 0)) || die "go test failed (exit $rc)"
	if [[ -n "$IN_CI" ]]; then
		# Not passed unless containers served every backend and are gone.
		for b in postgres mysql mongo; do
			grep -q "^atomdb tests: $b: container .* serves " "$CONTAINER_LOG" ||
				die "CI: no container served $b (see the list above)"
		done
		while read -r name; do
			grep -Eq "removed container $name( |\$)" "$CONTAINER_LOG" || die "CI: container $name was not removed"
			if docker container inspect "$name" >/dev/null 2>&1; then
				die "CI: container $name still exists after the tests"
			fi
		done < <(sed -n 's/^atomdb tests: [a-z0-9-]*: container \([^ ]*\) (image .*) serves .*/\1/p' "$CONTAINER_LOG")
		note "CI: every backend was served by a container, and every container is gone"
	fi
	rm -f "$CONTAINER_LOG"
else
	note "no packages in the root module yet; skipping"
fi

# A short run of every fuzz test (their seeds, under testdata/fuzz, already
# ran in go test): ATOMDB_FUZZTIME each, 3000 inputs unless set. A count, not a
# duration: with a duration Go 1.26's fuzz coordinator can report its own
# deadline as a failure ("context deadline exceeded", no crasher written) when
# a loaded machine leaves a worker mid-input at the end (golang/go#75804).
FUZZTIME=${ATOMDB_FUZZTIME:-3000x}
header "go test -fuzz, $FUZZTIME per fuzz test (root module)"
if has_packages; then
	while read -r pkg name; do
		go test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" "$pkg"
	done < <(grep -rHo --include='*_test.go' --exclude-dir=bench '^func Fuzz[A-Za-z0-9_]*' . |
		sed -E 's#^(.*)/[^/]*:func (Fuzz[A-Za-z0-9_]*)$#\1 \2#' | sort -u)
fi

# The other supported Go release (README: the last two, 1.26 and 1.27): build
# everything, then vet and unit-test the library packages (no integration
# tests: the run above covers the backends). The go command fetches the
# toolchain from the module proxy on first use (about 76 MB).
OTHER_GO=go1.27.3
header "$OTHER_GO: go build ./..., go vet and go test of the library packages"
LIBRARY_PKGS=(./core/... ./lookups/... ./relations/... ./orm/... ./mongo/...)
if other_version="$(GOTOOLCHAIN=$OTHER_GO go version 2>&1)"; then
	note "$other_version"
	GOTOOLCHAIN=$OTHER_GO go build ./...
	GOTOOLCHAIN=$OTHER_GO go vet "${LIBRARY_PKGS[@]}"
	GOTOOLCHAIN=$OTHER_GO go test -count=1 "${LIBRARY_PKGS[@]}"
else
	printf '%s\n' "$other_version" >&2
	if [[ -n "$IN_CI" ]]; then
		die "cannot run $OTHER_GO (GOTOOLCHAIN=$OTHER_GO go version failed above): CI must test the second supported Go release"
	fi
	printf '    WARNING: %s unavailable (see above); it was NOT tested\n' "$OTHER_GO" >&2
	UNAVAILABLE+=("$OTHER_GO: GOTOOLCHAIN=$OTHER_GO go version failed")
fi

if [[ -f bench/go.mod ]]; then
	header "go vet ./... (bench module)"
	if (cd bench && has_packages); then
		(cd bench && go vet ./...)
		# The benchmarks compare atomdb with the raw drivers on the host's
		# servers (they do not use the harness): set up as in --local, in a
		# subshell, required in CI as before.
		(
			if [[ -n "$IN_CI" ]]; then
				export ATOMDB_TEST_REQUIRE=postgres,mysql
			fi
			setup_postgres
			setup_mysql
			header "go test -run '^\$' -bench . -benchtime 1x ./... (bench module)"
			cd bench && go test -run '^$' -bench . -benchtime 1x ./...
		)
	else
		note "no packages in bench/ yet; skipping"
	fi
else
	header "bench module"
	note "no bench/go.mod; skipping benchmarks"
fi

header "all checks passed"
if ((${#UNAVAILABLE[@]} > 0)); then
	note "skipped by this script (backends, toolchains):"
	printf '      %s\n' "${UNAVAILABLE[@]}"
fi
