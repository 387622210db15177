//! A PostgreSQL primary and a streaming replica of the tests' own, in a
//! temporary directory on free ports (`initdb`, then `pg_basebackup -R`), so
//! a test may pause the replica's replay or stop it without touching the
//! shared server. The programs come from `TEST_POSTGRES_BIN` (or
//! `pg_config --bindir`); as root they run as the `postgres` user.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    primary_port: u16,
    replica_port: u16,
    /// A database made on the primary, for the server under test.
    pub primary_url: String,
    /// The same database, read from the replica.
    pub replica_url: String,
}

const DATABASE: &str = "cinegraph";

impl Cluster {
    /// Starts a primary, makes the test database, and starts a replica of it.
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "cinegraph-replica-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cluster = Self {
            bin: postgres_bin(),
            primary_port: free_port(),
            replica_port: free_port(),
            primary_url: String::new(),
            replica_url: String::new(),
            dir,
        };
        if running_as_root() {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&cluster.dir));
        }
        let primary = cluster.dir.join("primary");
        cluster.tool("initdb", |c| {
            c.args([
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "-D",
            ])
            .arg(&primary);
        });
        append(
            &primary.join("postgresql.conf"),
            &format!(
                "port = {}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{}'\n\
                 wal_level = replica\nmax_wal_senders = 4\nfsync = off\nmax_connections = 60\n",
                cluster.primary_port,
                cluster.dir.display()
            ),
        );
        cluster.pg_ctl(&primary, "start");
        cluster.psql(cluster.primary_port, &format!("CREATE DATABASE {DATABASE}"));
        let replica = cluster.dir.join("replica");
        let port = cluster.primary_port.to_string();
        cluster.tool("pg_basebackup", |c| {
            c.args([
                "-h",
                "127.0.0.1",
                "-p",
                &port,
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                // An immediate checkpoint: the default spreads it over
                // minutes (95 s of this test's 110 s).
                "--checkpoint=fast",
                "-D",
            ])
            .arg(&replica);
        });
        append(
            &replica.join("postgresql.conf"),
            &format!("port = {}\nhot_standby = on\n", cluster.replica_port),
        );
        cluster.pg_ctl(&replica, "start");
        let url = |port| format!("postgres://postgres@127.0.0.1:{port}/{DATABASE}");
        cluster.primary_url = url(cluster.primary_port);
        cluster.replica_url = url(cluster.replica_port);
        cluster
    }

    /// What `/readyz` and the metrics call the replica.
    pub fn replica_name(&self) -> String {
        format!("127.0.0.1:{}/{DATABASE}", self.replica_port)
    }

    /// Runs SQL on the primary's test database; its output, trimmed.
    pub fn on_primary(&self, sql: &str) -> String {
        self.psql_in(self.primary_port, DATABASE, sql)
    }

    /// Runs SQL on the replica's copy of the test database.
    pub fn on_replica(&self, sql: &str) -> String {
        self.psql_in(self.replica_port, DATABASE, sql)
    }

    /// The replica stops applying what it receives until [`Cluster::resume_replay`].
    pub fn pause_replay(&self) {
        self.on_replica("SELECT pg_wal_replay_pause()");
    }

    pub fn resume_replay(&self) {
        self.on_replica("SELECT pg_wal_replay_resume()");
    }

    pub fn stop_replica(&self) {
        self.pg_ctl(&self.dir.join("replica"), "stop");
    }

    pub fn start_replica(&self) {
        self.pg_ctl(&self.dir.join("replica"), "start");
    }

    fn psql(&self, port: u16, sql: &str) -> String {
        self.psql_in(port, "postgres", sql)
    }

    fn psql_in(&self, port: u16, database: &str, sql: &str) -> String {
        let output = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
            ])
            .args(["-p", &port.to_string(), "-d", database, "-c", sql])
            .output()
            .expect("run psql");
        assert!(
            output.status.success(),
            "psql {sql:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    fn pg_ctl(&self, data: &Path, action: &str) {
        let log = data.with_extension("log");
        self.tool("pg_ctl", |c| {
            c.args(["-w", "-t", "60", "-D"])
                .arg(data)
                .arg("-l")
                .arg(&log)
                .arg(action);
            if action == "stop" {
                c.args(["-m", "fast"]);
            }
        });
    }

    /// Runs one of PostgreSQL's programs, as `postgres` when we are root.
    fn tool(&self, name: &str, args: impl FnOnce(&mut Command)) {
        let mut command = as_postgres(&self.bin.join(name));
        args(&mut command);
        command.current_dir(&self.dir);
        run(&mut command);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for data in ["replica", "primary"] {
            let data = self.dir.join(data);
            if data.exists() {
                let _ = as_postgres(&self.bin.join("pg_ctl"))
                    .args(["-m", "immediate", "-D"])
                    .arg(&data)
                    .arg("stop")
                    .output();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Where PostgreSQL's programs are: `TEST_POSTGRES_BIN`, else `pg_config --bindir`.
fn postgres_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("TEST_POSTGRES_BIN").filter(|b| !b.is_empty()) {
        return bin.into();
    }
    let output = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .expect("TEST_POSTGRES_BIN=/usr/lib/postgresql/15/bin (or pg_config on PATH)");
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

/// `program` to run as `postgres` when we are root (PostgreSQL refuses root).
fn as_postgres(program: &Path) -> Command {
    if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn running_as_root() -> bool {
    let output = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&output.stdout).trim() == "0"
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn append(path: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

fn run(command: &mut Command) {
    let output = command.output().expect("run a PostgreSQL program");
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
