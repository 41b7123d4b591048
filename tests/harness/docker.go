package harness

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/atomdb/atomdb/core"
	"github.com/ory/dockertest/v3"
	"github.com/ory/dockertest/v3/docker"
)

// containers describes the Docker image started for each server backend
// when no URL is given. Containers are named, reused by later test runs,
// and removed by Docker an hour after they start.
var containers = map[string]struct {
	repo, tag, port string
	env             []string
	url             func(hostPort string) string
}{
	Postgres: {"postgres", "15", "5432/tcp", []string{"POSTGRES_HOST_AUTH_METHOD=trust", "POSTGRES_DB=test"},
		func(hp string) string { return "postgres://postgres@" + hp + "/test?ssl=false" }},
	MySQL: {"mysql", "8", "3306/tcp", []string{"MYSQL_ALLOW_EMPTY_PASSWORD=yes", "MYSQL_DATABASE=test"},
		func(hp string) string { return "mysql://root@" + hp + "/test" }},
	Mongo: {"mongo", "7", "27017/tcp", nil,
		func(hp string) string { return "mongodb://" + hp + "/" }},
}

var (
	dockerPool    *dockertest.Pool
	dockerPoolErr error
	dockerOnce    = make(chan struct{}, 1)
)

func pool() (*dockertest.Pool, error) {
	dockerOnce <- struct{}{}
	defer func() { <-dockerOnce }()
	if dockerPool == nil && dockerPoolErr == nil {
		p, err := dockertest.NewPool("")
		if err == nil {
			err = p.Client.Ping()
		}
		if err != nil {
			dockerPoolErr = fmt.Errorf("no Docker engine answers (%v)", err)
		} else {
			p.MaxWait = 3 * time.Minute
			dockerPool = p
		}
	}
	return dockerPool, dockerPoolErr
}

// startContainer starts (or finds running) the backend's container and
// waits until it accepts connections.
func startContainer(name string) (string, error) {
	p, err := pool()
	if err != nil {
		return "", err
	}
	spec := containers[name]
	cname := "atomdb-test-" + name
	res, ok := p.ContainerByName(cname)
	if !ok || res.Container == nil || !res.Container.State.Running {
		if ok {
			_ = p.RemoveContainerByName(cname)
		}
		res, err = p.RunWithOptions(&dockertest.RunOptions{Name: cname, Repository: spec.repo, Tag: spec.tag, Env: spec.env},
			func(hc *docker.HostConfig) { hc.AutoRemove = true })
		if err != nil {
			return "", fmt.Errorf("docker could not start %s:%s: %v", spec.repo, spec.tag, err)
		}
		_ = res.Expire(3600)
	}
	u := spec.url(res.GetHostPort(spec.port))
	err = p.Retry(func() error { return ping(name, u) })
	if err != nil {
		return "", fmt.Errorf("the %s container did not become ready: %v", name, err)
	}
	return u, nil
}

func ping(name, u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if name == Mongo {
		// The mongo driver is not a dependency of the SQL side: a TCP answer will do.
		pu, err := url.Parse(u)
		if err != nil {
			return err
		}
		if !reachable(pu.Host) {
			return fmt.Errorf("%s does not accept connections", pu.Host)
		}
		return nil
	}
	db, err := core.Open(ctx, u, core.WithMaxConns(1))
	if err != nil {
		return err
	}
	return db.Close()
}
