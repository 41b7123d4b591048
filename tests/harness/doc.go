// Package harness runs a test on every database backend atomdb supports.
//
// SQLite always runs. PostgreSQL, MySQL/MariaDB and MongoDB each come from
// one of two places:
//
//   - a URL in ATOMDB_TEST_POSTGRES, ATOMDB_TEST_MYSQL or ATOMDB_TEST_MONGO
//     (servers already running: the host's, or docker-compose.yml's);
//   - otherwise a container that the harness starts with dockertest when a
//     Docker engine answers, from the image in ATOMDB_TEST_POSTGRES_IMAGE,
//     ATOMDB_TEST_MYSQL_IMAGE or ATOMDB_TEST_MONGO_IMAGE (default: the public
//     postgres:15, mysql:8.4 and mongo:7; scripts/images.sh builds local ones
//     from Debian's packages where no registry is reachable).
//
// A backend that has neither is skipped with the reason printed.
// ATOMDB_TEST_REQUIRE=postgres,mysql,mongo turns a missing backend into a
// test failure; adding docker to it (as CI does) also fails a backend whose
// URL is given, so that a run cannot pass without containers serving it.
//
// Each test gets a database state of its own (a fresh SQLite file, a
// PostgreSQL schema, a MySQL database) that is dropped when it ends, so tests
// run in parallel and in any order.
//
// # Containers
//
// A package whose tests use the harness runs them through Main:
//
//	func TestMain(m *testing.M) { os.Exit(harness.Main(m)) }
//
// Containers are per test binary: the first test that needs a backend starts
// its container, every later test of the binary shares it (each in its own
// schema or database), and Main removes them all when the tests end. Only
// two packages use servers (tests/ and migrate/, besides this package's own
// tests), so `go test ./...` starts at most two containers per backend, a few
// seconds each: on a 2-core machine that is simpler than sharing containers
// across binaries through a lock file, and a crashed binary can only leak its
// own containers. The harness refuses to start a container outside Main,
// where nothing would remove it.
//
// Each container's port is published explicitly on 127.0.0.1 (a random host
// port; no image metadata is relied on), its name carries a random run ID
// (atomdb-test-postgres-1a2b3c4d) so that parallel runs on one engine never
// collide, and its labels name the backend, the run and an expiry time
// (longer than the binary's -test.timeout). A process that is killed before
// Main removes its containers leaves them to expire: a timer inside each
// container signals its server (PID 1) to stop at that time, and the next
// run of the harness on that engine removes containers past their expiry.
//
// Multi-node topologies: Galera starts a MariaDB Galera cluster (the image
// in ATOMDB_TEST_GALERA_IMAGE, default atomdb-test/galera:10.11 from
// scripts/images.sh) on a Docker network of its own with fixed addresses,
// for one test, and removes its containers and network when that test
// ends; networks carry the same labels and expire like containers.
//
// Readiness: the harness connects (a SQL ping, a MongoDB ping) until it
// works, retrying only errors that waiting can fix (connection refused or
// reset, a timeout, "the database system is starting up"). Any other error
// (a malformed URL, a refused login, an unknown database) fails at once, as
// does a container that exits; running out of ATOMDB_TEST_CONTAINER_WAIT
// (default 3m) fails with the last error. Each failure names the image and
// removes the container. What the harness starts and removes is printed on
// stderr, and appended to the file named by ATOMDB_TEST_CONTAINER_LOG.
//
// # Topologies
//
// PostgresReplica starts a PostgreSQL primary and a streaming replica
// (pg_basebackup -R) from scripts/images.sh's PostgreSQL image, on a Docker
// network of their own, once per test binary; StopReplica and StartReplica
// stop and restart the replica on the same port. The network carries the
// same run and expiry labels as the containers, is removed by Main after
// them, and is swept by a later run once expired. Without Docker or the
// image the tests that ask for it are skipped, unless ATOMDB_TEST_REQUIRE
// names docker.
package harness
