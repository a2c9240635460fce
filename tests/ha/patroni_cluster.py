#!/usr/bin/python3
"""A throwaway Patroni cluster for the high-availability tests (issue 16, docs/standby.md).

Three etcd 3.4 members and three PostgreSQL 15 nodes, each run by its own Patroni 3.0 (Debian's
etcd-server and patroni, installed by `scripts/deps.sh ha`), all on free 127.0.0.1 ports, all in
DIR: nothing on the machine is assumed or touched (no system service, no default port, no
/etc/patroni). Every process is started here and recorded in DIR; `stop` kills them all.

    patroni_cluster.py start DIR [sync|async]
        etcd x3, then Patroni on node1 (which bootstraps the cluster) and node2, node3 (which clone
        it); synchronous_mode and synchronous_mode_strict on (sync, the default) or off (async: the
        control experiment); waits until the leader streams to both replicas (one `sync` in sync
        mode), then creates the role `herdpass` owning database `herdpass`. Writes DIR/cluster.json:
        {"mode", "nodes": {name: {pg_port, api_port, socket_dir, data_dir, config}},
         "etcd": [client urls], "herdpass_db": the multi-host URI, "pgpass": file}.
    patroni_cluster.py healthy DIR [TIMEOUT]
        waits until one leader streams to the two other nodes, both running and following it (one
        of them its synchronous standby in sync mode); prints "LEADER SYNC" (SYNC "-" in async mode).
    patroni_cluster.py kill-leader DIR
        SIGKILL the leader's Patroni and its PostgreSQL (postmaster and every child at once, as a
        machine that dies), waits until both ports refuse connections; prints the node's name.
    patroni_cluster.py wait-leader DIR OLD [TIMEOUT]
        waits until a node other than OLD holds the leader key and its PostgreSQL accepts writes;
        prints its name.
    patroni_cluster.py start-node DIR NAME   start NAME's Patroni again (it rejoins on its own).
    patroni_cluster.py pause-replication DIR
        SIGSTOP the leader's WAL senders: the replicas receive nothing more until the leader dies.
    patroni_cluster.py switchover DIR CANDIDATE   patronictl switchover --force to CANDIDATE.
    patroni_cluster.py member DIR NAME      prints NAME's GET /patroni of the REST API (JSON).
    patroni_cluster.py sql DIR NAME SQL     runs SQL as superuser on database herdpass on NAME.
    patroni_cluster.py stop DIR             kills every process of DIR, removes DIR.

`start` also leaves a reaper behind (`patroni_cluster.py reap DIR PID`): once the process that ran
`start` (the test) has gone without `stop`, killed by a ctest timeout for instance, it runs `stop`.

As root, PostgreSQL (which refuses to run as root), Patroni and etcd run as the `postgres` system
user (Debian's postgresql-15 makes it) and DIR belongs to it; as any other user, as that user.
"""

import json
import os
import pwd
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

PG_BINDIR = os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin")
NODES = ("node1", "node2", "node3")
SCOPE = "herdpass-ha-test"

# Failover timing: the leader key lives TTL seconds after the leader's last renewal (every
# LOOP_WAIT seconds); a dead leader is replaced about TTL seconds after it died. Patroni's rule
# loop_wait + 2 * retry_timeout <= ttl holds. etcd's election timeout (1 s) is well below.
TTL = 8
LOOP_WAIT = 1
RETRY_TIMEOUT = 3


def die(msg):
    print(f"patroni_cluster.py: {msg}", file=sys.stderr)
    sys.exit(1)


def as_root():
    return os.getuid() == 0


def run_user():
    return "postgres" if as_root() else pwd.getpwuid(os.getuid()).pw_name


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(what, seconds, check):
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            die(f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.1)  # spaces the polls; the loop waits for the condition, not for a time


def spawn(argv, log, cwd, env=None):
    """Starts argv detached (own session) as the cluster's user; returns its pid."""
    kwargs = {}
    if as_root():
        kwargs = {"user": "postgres", "group": "postgres", "extra_groups": []}
    with open(log, "ab") as out:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out, cwd=cwd,
                             env=env, start_new_session=True, **kwargs)
    return p.pid


def alive(pid):
    """Running and not a zombie (PID 1 here may not reap orphans)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("State:"):
                    return "Z" not in line.split()[1]
    except OSError:
        return False
    return False


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/status") as f:
                for line in f:
                    if line.startswith("PPid:"):
                        if int(line.split()[1]) == pid:
                            out.append(int(d))
                        break
        except OSError:
            pass
    return out


def kill(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.readline().strip())
    except (OSError, ValueError):
        return None


def load(dirpath):
    try:
        with open(os.path.join(dirpath, "cluster.json")) as f:
            return json.load(f)
    except OSError:
        die(f"{dirpath}/cluster.json is missing: run `patroni_cluster.py start {dirpath}` first")


def http_json(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:  # 503 still carries the status document
        try:
            return json.loads(e.read())
        except ValueError:
            return None
    except (OSError, ValueError):
        return None


def psql(node, db, sql, timeout=30):
    cmd = [f"{PG_BINDIR}/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
           "-h", node["socket_dir"], "-p", str(node["pg_port"]), "-U", "postgres", "-d", db,
           "-c", sql]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       user="postgres" if as_root() else None)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def cluster_view(c):
    """GET /cluster from the first node whose REST API answers."""
    for name in NODES:
        v = http_json(f"http://127.0.0.1:{c['nodes'][name]['api_port']}/cluster")
        if v and "members" in v:
            return v
    return None


def member(c, name):
    return http_json(f"http://127.0.0.1:{c['nodes'][name]['api_port']}/patroni")


def leader_of(view):
    leaders = [m["name"] for m in view["members"] if m["role"] == "leader"]
    return leaders[0] if len(leaders) == 1 else None


def healthy(c):
    """(leader, sync) when the leader streams to both others, as the mode wants; else None."""
    view = cluster_view(c)
    if not view:
        return None
    leader = leader_of(view)
    if not leader or len(view["members"]) != 3:
        return None
    lm = member(c, leader)
    if not lm or lm.get("role") != "master" or lm.get("state") != "running":
        return None
    repl = {r.get("application_name"): r for r in lm.get("replication") or []}
    others = [n for n in NODES if n != leader]
    sync = []
    for n in others:
        r = repl.get(n)
        m = member(c, n)
        if not r or r.get("state") != "streaming" or not m:
            return None
        if m.get("role") != "replica" or m.get("state") != "running":
            return None
        if m.get("timeline") != lm.get("timeline"):
            return None
        if r.get("sync_state") == "sync":
            sync.append(n)
    if c["mode"] == "sync":
        roles = {m["name"]: m["role"] for m in view["members"]}
        if len(sync) != 1 or roles.get(sync[0]) != "sync_standby":
            return None
        return leader, sync[0]
    if sync:
        return None
    return leader, "-"


def patroni_config(c, name, passwords):
    node = c["nodes"][name]
    sync = c["mode"] == "sync"
    hba = [
        "local all all trust",
        "host replication replicator 127.0.0.1/32 scram-sha-256",
        "host all rewind 127.0.0.1/32 scram-sha-256",
        "host herdpass herdpass 127.0.0.1/32 scram-sha-256",
    ]
    return {
        "scope": SCOPE,
        "namespace": "/herdpass-test/",
        "name": name,
        "log": {"level": "INFO", "format": "%(asctime)s %(levelname)s: %(message)s"},
        "restapi": {"listen": f"127.0.0.1:{node['api_port']}",
                    "connect_address": f"127.0.0.1:{node['api_port']}"},
        "etcd3": {"hosts": [u.replace("http://", "") for u in c["etcd"]]},
        "bootstrap": {
            "dcs": {
                "ttl": TTL,
                "loop_wait": LOOP_WAIT,
                "retry_timeout": RETRY_TIMEOUT,
                "maximum_lag_on_failover": 16 * 1024 * 1024,
                "check_timeline": True,
                "synchronous_mode": sync,
                "synchronous_mode_strict": sync,
                "synchronous_node_count": 1,
                "postgresql": {
                    "use_pg_rewind": True,
                    "use_slots": True,
                    "parameters": {
                        "wal_level": "replica",
                        "hot_standby": "on",
                        "wal_log_hints": "on",
                        "max_wal_senders": 10,
                        "max_replication_slots": 10,
                        "max_connections": 60,
                        "synchronous_commit": "on",
                        "password_encryption": "scram-sha-256",
                        "wal_keep_size": "128MB",
                        # Bounds the WAL a rejoining node rewinds and replays from the last
                        # common checkpoint.
                        "checkpoint_timeout": "30s",
                    },
                },
            },
            "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, {"auth-local": "trust"},
                       {"auth-host": "reject"}],
        },
        "postgresql": {
            "listen": f"127.0.0.1:{node['pg_port']}",
            "connect_address": f"127.0.0.1:{node['pg_port']}",
            "use_unix_socket": True,
            "data_dir": node["data_dir"],
            "bin_dir": PG_BINDIR,
            "pgpass": os.path.join(c["dir"], name, "patroni.pgpass"),
            "authentication": {
                "superuser": {"username": "postgres", "password": passwords["superuser"]},
                "replication": {"username": "replicator", "password": passwords["replication"]},
                "rewind": {"username": "rewind", "password": passwords["rewind"]},
            },
            "pg_hba": hba,
            "parameters": {
                "unix_socket_directories": node["socket_dir"],
                "shared_buffers": "32MB",
                "fsync": "on",
            },
        },
        "tags": {"nofailover": False, "noloadbalance": False, "clonefrom": False,
                 "nosync": False},
    }


def start_etcd(c):
    peers = ",".join(f"e{i + 1}=http://127.0.0.1:{p}" for i, p in enumerate(c["etcd_peer_ports"]))
    token = "hp-" + secrets.token_hex(6)
    for i, (cport, pport) in enumerate(zip(c["etcd_client_ports"], c["etcd_peer_ports"])):
        name = f"e{i + 1}"
        d = os.path.join(c["dir"], "etcd", name)
        os.makedirs(d, exist_ok=True)
        if as_root():
            os.chown(d, pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid)
        os.chmod(d, 0o700)
        argv = ["etcd", "--name", name, "--data-dir", os.path.join(d, "data"),
                "--listen-client-urls", f"http://127.0.0.1:{cport}",
                "--advertise-client-urls", f"http://127.0.0.1:{cport}",
                "--listen-peer-urls", f"http://127.0.0.1:{pport}",
                "--initial-advertise-peer-urls", f"http://127.0.0.1:{pport}",
                "--initial-cluster", peers, "--initial-cluster-token", token,
                "--initial-cluster-state", "new",
                "--heartbeat-interval", "100", "--election-timeout", "1000",
                "--logger", "zap", "--log-level", "warn"]
        pid = spawn(argv, os.path.join(c["dir"], f"etcd-{name}.log"), d)
        with open(os.path.join(c["dir"], f"etcd-{name}.pid"), "w") as f:
            f.write(f"{pid}\n")

    def etcd_ready():
        for port in c["etcd_client_ports"]:
            h = http_json(f"http://127.0.0.1:{port}/health")
            if not h or h.get("health") not in ("true", True):
                return False
        return True

    wait_until("etcd's three members to be healthy", 60, etcd_ready)


def start_patroni(c, name):
    node = c["nodes"][name]
    pidfile = os.path.join(c["dir"], name, "patroni.pid")
    old = read_pid(pidfile)
    if old and alive(old):
        die(f"{name}'s Patroni (pid {old}) still runs")
    env = dict(os.environ, PATH="/usr/bin:/bin", HOME=os.path.join(c["dir"], name))
    env.pop("PGPASSFILE", None)
    pid = spawn(["patroni", node["config"]], os.path.join(c["dir"], name, "patroni.log"),
                os.path.join(c["dir"], name), env)
    with open(pidfile, "w") as f:
        f.write(f"{pid}\n")


def start(dirpath, mode):
    if mode not in ("sync", "async"):
        die(f"unknown mode '{mode}' (sync or async)")
    for prog in ("initdb", "pg_ctl", "postgres", "pg_basebackup", "pg_rewind", "psql"):
        if not os.access(f"{PG_BINDIR}/{prog}", os.X_OK):
            die(f"{PG_BINDIR}/{prog} is missing: install postgresql-15 (scripts/deps.sh build)")
    for prog in ("etcd", "patroni", "patronictl"):
        if subprocess.run(["sh", "-c", f"command -v {prog}"], capture_output=True).returncode:
            die(f"{prog} is missing: install patroni, etcd-server, etcd-client (scripts/deps.sh ha)")
    dirpath = os.path.realpath(dirpath)
    if os.path.exists(dirpath):
        stop(dirpath)
    os.makedirs(dirpath)
    uid = gid = None
    if as_root():
        pw = pwd.getpwnam("postgres")
        uid, gid = pw.pw_uid, pw.pw_gid
    ports = free_ports(12)
    c = {"dir": dirpath, "mode": mode, "etcd_client_ports": ports[0:3],
         "etcd_peer_ports": ports[3:6], "nodes": {}}
    c["etcd"] = [f"http://127.0.0.1:{p}" for p in c["etcd_client_ports"]]
    for i, name in enumerate(NODES):
        d = os.path.join(dirpath, name)
        os.makedirs(os.path.join(d, "sock"))
        c["nodes"][name] = {"pg_port": ports[6 + i], "api_port": ports[9 + i],
                            "socket_dir": os.path.join(d, "sock"),
                            "data_dir": os.path.join(d, "data"),
                            "config": os.path.join(d, "patroni.yml")}
    passwords = {k: secrets.token_urlsafe(18) for k in ("superuser", "replication", "rewind")}
    app_password = secrets.token_urlsafe(18)
    import yaml  # python3-yaml, a dependency of patroni

    for name in NODES:
        with open(c["nodes"][name]["config"], "w") as f:
            yaml.safe_dump(patroni_config(c, name, passwords), f, sort_keys=False)
        os.chmod(c["nodes"][name]["config"], 0o600)
    if as_root():
        for root, dirs, files in os.walk(dirpath):
            for p in [root] + [os.path.join(root, x) for x in dirs + files]:
                os.chown(p, uid, gid)
    os.chmod(dirpath, 0o700)
    # The cluster's description first: `stop` finds the processes through it even if start fails.
    hosts = ",".join(f"127.0.0.1:{c['nodes'][n]['pg_port']}" for n in NODES)
    c["herdpass_db"] = (f"postgresql://herdpass@{hosts}/herdpass?target_session_attrs=read-write"
                        "&connect_timeout=5&sslmode=disable")
    c["pgpass"] = os.path.join(dirpath, "herdpass.pgpass")
    write_json(c)
    # Runs as the caller, not as the cluster's user: it must be able to remove DIR.
    with open(os.path.join(dirpath, "reaper.log"), "ab") as out:
        subprocess.Popen([sys.executable, os.path.abspath(__file__), "reap", dirpath,
                          str(os.getppid())], stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                         start_new_session=True)

    start_etcd(c)
    start_patroni(c, "node1")  # bootstraps: the only node that starts before a leader exists

    def node1_leads():
        m = member(c, "node1")
        return m and m.get("role") == "master" and m.get("state") == "running"

    wait_until("node1 to bootstrap the cluster and lead", 120, node1_leads)
    for name in NODES[1:]:
        start_patroni(c, name)
    leader, sync = wait_until("the leader to stream to both replicas", 180, lambda: healthy(c))
    rc, out, err = psql(c["nodes"][leader], "postgres",
                        f"CREATE ROLE herdpass LOGIN PASSWORD '{app_password}'")
    if rc:
        die(f"CREATE ROLE failed: {err}")
    rc, out, err = psql(c["nodes"][leader], "postgres", "CREATE DATABASE herdpass OWNER herdpass")
    if rc:
        die(f"CREATE DATABASE failed: {err}")
    old = os.umask(0o077)
    with open(c["pgpass"], "w") as f:
        for n in NODES:
            f.write(f"127.0.0.1:{c['nodes'][n]['pg_port']}:herdpass:herdpass:{app_password}\n")
    os.umask(old)
    print(f"patroni cluster ({mode}) in {dirpath}: leader {leader}, sync standby {sync}; "
          f"{c['herdpass_db']}")


def write_json(c):
    tmp = os.path.join(c["dir"], "cluster.json.tmp")
    with open(tmp, "w") as f:
        json.dump(c, f, indent=1)
    os.replace(tmp, os.path.join(c["dir"], "cluster.json"))


def kill_node(c, name):
    """SIGKILL NAME's Patroni, postmaster and the postmaster's children at once."""
    node = c["nodes"][name]
    patroni = read_pid(os.path.join(c["dir"], name, "patroni.pid"))
    postmaster = read_pid(os.path.join(node["data_dir"], "postmaster.pid"))
    pids = [p for p in (patroni, postmaster) if p and alive(p)]
    if postmaster and alive(postmaster):
        pids += children(postmaster)
    if patroni and alive(patroni):
        pids += children(patroni)
    kill(pids)
    return pids


def kill_leader(dirpath):
    c = load(dirpath)
    view = wait_until("a cluster view", 30, lambda: cluster_view(c))
    leader = leader_of(view)
    if not leader:
        die(f"no leader to kill: {json.dumps(view)}")
    pids = kill_node(c, leader)
    if not pids:
        die(f"{leader}'s processes were not running")
    node = c["nodes"][leader]
    wait_until(f"{leader}'s ports to refuse connections", 30,
               lambda: not port_open(node["pg_port"]) and not port_open(node["api_port"]))
    print(leader)


def wait_leader(dirpath, old, timeout):
    c = load(dirpath)

    def new_leader():
        view = cluster_view(c)
        leader = view and leader_of(view)
        if not leader or leader == old:
            return None
        m = member(c, leader)
        return leader if m and m.get("role") == "master" and m.get("state") == "running" else None

    print(wait_until(f"a leader other than {old}", timeout, new_leader))


def pause_replication(dirpath):
    c = load(dirpath)
    view = cluster_view(c)
    leader = view and leader_of(view)
    if not leader:
        die("no leader")
    rc, out, err = psql(c["nodes"][leader], "postgres",
                        "SELECT pid FROM pg_stat_replication WHERE state = 'streaming'")
    pids = [int(x) for x in out.split()] if rc == 0 else []
    if len(pids) != 2:
        die(f"the leader {leader} streams to {len(pids)} replicas, not 2: {out} {err}")
    # Noted before they stop: a stopped WAL sender whose postmaster dies is not always killed with
    # it (one was left behind, stopped, after a passing run), so `stop` kills these too.
    with open(os.path.join(c["dir"], "paused.pids"), "a") as f:
        f.write("".join(f"{pid}\n" for pid in pids))
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    print(leader)


def switchover(dirpath, candidate):
    c = load(dirpath)
    view = cluster_view(c)
    leader = view and leader_of(view)
    if not leader:
        die("no leader")
    argv = ["patronictl", "-c", c["nodes"][leader]["config"], "switchover", "--leader", leader,
            "--candidate", candidate, "--force", SCOPE]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                       user="postgres" if as_root() else None,
                       env=dict(os.environ, HOME=c["dir"]))
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    if r.returncode:
        die(f"patronictl switchover exited {r.returncode}")
    print(leader)


def stop(dirpath):
    dirpath = os.path.realpath(dirpath)
    try:
        with open(os.path.join(dirpath, "cluster.json")) as f:
            c = json.load(f)
    except (OSError, ValueError):
        c = None
    if c:
        for _ in range(3):  # a Patroni killed mid-start may have started a postmaster meanwhile
            for name in NODES:
                kill_node(c, name)
            etcd = [read_pid(os.path.join(dirpath, f"etcd-e{i}.pid")) for i in (1, 2, 3)]
            kill([p for p in etcd if p and alive(p)])
    # The WAL senders pause_replication stopped, if any outlived their postmaster (checked to be a
    # WAL sender still, not another process given the same pid since).
    try:
        with open(os.path.join(dirpath, "paused.pids")) as f:
            paused = [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        paused = []
    for pid in paused:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f.read().startswith(b"postgres: walsender"):
                    kill([pid])
        except OSError:
            pass
    # Whatever else still runs with DIR on its command line (a pg_rewind, a pg_basebackup...) or
    # as its working directory: every process of a postmaster works in its data directory, and
    # keeps it once deleted, so this finds the ones that outlived it whatever their title says
    # (with cluster_name set, a WAL sender's is "postgres: NAME: walsender ...").
    leftovers = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            cwd = os.readlink(f"/proc/{d}/cwd").removesuffix(" (deleted)")
        except OSError:
            cwd = ""
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                named = dirpath.encode() in f.read()
        except OSError:
            continue
        if (named or cwd == dirpath or cwd.startswith(dirpath + "/")) and alive(int(d)):
            leftovers.append(int(d))
    kill(leftovers + [p for pid in leftovers for p in children(pid)])
    subprocess.run(["rm", "-rf", dirpath], check=False)


def reap(dirpath, owner):
    """Waits until DIR is gone (stopped) or its owner has died; in the second case stops it."""
    cluster_json = os.path.join(dirpath, "cluster.json")
    while alive(owner) and os.path.exists(cluster_json):
        time.sleep(1)  # a watch on another process, not a synchronisation of the tests
    if os.path.exists(cluster_json):
        stop(dirpath)


def main(argv):
    if len(argv) < 3:
        die(__doc__)
    cmd, dirpath = argv[1], argv[2]
    if cmd == "start":
        start(dirpath, argv[3] if len(argv) > 3 else "sync")
    elif cmd == "healthy":
        c = load(dirpath)
        leader, sync = wait_until("a healthy cluster", float(argv[3]) if len(argv) > 3 else 120,
                                  lambda: healthy(c))
        print(leader, sync)
    elif cmd == "kill-leader":
        kill_leader(dirpath)
    elif cmd == "wait-leader" and len(argv) >= 4:
        wait_leader(dirpath, argv[3], float(argv[4]) if len(argv) > 4 else 120)
    elif cmd == "start-node" and len(argv) == 4:
        start_patroni(load(dirpath), argv[3])
    elif cmd == "pause-replication":
        pause_replication(dirpath)
    elif cmd == "switchover" and len(argv) == 4:
        switchover(dirpath, argv[3])
    elif cmd == "member" and len(argv) == 4:
        print(json.dumps(member(load(dirpath), argv[3])))
    elif cmd == "sql" and len(argv) == 5:
        rc, out, err = psql(load(dirpath)["nodes"][argv[3]], "herdpass", argv[4])
        if rc:
            die(err)
        print(out)
    elif cmd == "reap" and len(argv) == 4:
        reap(os.path.realpath(dirpath), int(argv[3]))
    elif cmd == "stop":
        stop(dirpath)
    else:
        die(__doc__)


if __name__ == "__main__":
    main(sys.argv)
