# Starting, stopping and inspecting the processes of the local cluster. Sourced by cluster.sh.
# Every process gets a pid file in $CLUSTER_DIR/run and a log in $CLUSTER_DIR/logs; `down` stops
# exactly the processes with pid files, so nothing it did not start is touched.
# shellcheck shell=bash

RUN_DIR="$CLUSTER_DIR/run"
LOG_DIR="$CLUSTER_DIR/logs"

proc_pid() {
  local f="$RUN_DIR/$1.pid"
  [[ -f "$f" ]] || return 1
  local pid
  pid=$(<"$f")
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && printf '%s' "$pid"
}

proc_running() { proc_pid "$1" >/dev/null; }

# Starts a process in its own session (so `down` can stop its whole process group) unless it runs.
proc_start() {
  local name="$1"
  shift
  if proc_running "$name"; then
    log "$name already running (pid $(proc_pid "$name"))"
    return 0
  fi
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  # Long-running processes inherit no descriptor but stdio: a lock held by the caller (`up`'s fd 9,
  # or a `flock <file> npm run cluster -- ...` around us) must not live on in a daemon.
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'for fd in /proc/$$/fd/*; do n=${fd##*/}; if ((n > 2)); then eval "exec $n>&-"; fi; done; exec "$@"' \
    proc-start "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
  log "started $name (pid $!, log $LOG_DIR/$name.log)"
}

# Stops a process group with TERM, then KILL after a grace period.
proc_stop() {
  local name="$1" pid i
  if pid=$(proc_pid "$name"); then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
      log "killed $name (pid $pid) after 10s"
    else
      log "stopped $name (pid $pid)"
    fi
  fi
  rm -f "$RUN_DIR/$name.pid"
}

# Waits until a command succeeds, failing with the tail of a log after a timeout. Args: what,
# seconds, log name, command...
wait_for() {
  local what="$1" seconds="$2" logname="$3" i
  shift 3
  for ((i = 0; i < seconds * 4; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    if [[ -n "$logname" ]] && ! proc_running "$logname"; then
      tail -n 30 "$LOG_DIR/$logname.log" >&2 || true
      die "$logname exited while waiting for $what"
    fi
    sleep 0.25
  done
  [[ -n "$logname" ]] && tail -n 30 "$LOG_DIR/$logname.log" >&2
  die "timed out after ${seconds}s waiting for $what"
}
