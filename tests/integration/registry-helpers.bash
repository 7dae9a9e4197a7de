# Registry fixtures for the berth registry suites: `load registry-helpers`
# (it loads helpers).  Starts docker-registry (Debian package
# docker-registry) on free loopback ports in four variants: plain HTTP,
# htpasswd basic auth, TLS with a test CA, and bearer tokens from a small
# token server (busybox httpd + a CGI that signs RS256 JWTs with openssl).
# Images are built from busybox-static as OCI layouts and pushed with skopeo.

load helpers

REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}
REG_USER=berthuser
REG_PASS='s3cret-Pa55'

require_registry_tools() {
  local t
  for t in "$REGISTRY_BIN" skopeo openssl htpasswd jq busybox; do
    command -v "$t" >/dev/null || skip "$t not installed (tests/install-deps.sh)"
  done
}

# A free TCP port on 127.0.0.1.
free_port() {
  local port i
  for i in $(seq 1 50); do
    port=$((20000 + RANDOM % 30000))
    if ! ss -ltnH "sport = :$port" | grep -q .; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# wait_port PORT: bounded wait until something listens.
wait_port() {
  local i
  for i in $(seq 1 100); do
    ss -ltnH "sport = :$1" | grep -q . && return 0
    sleep 0.1
  done
  echo "# nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# registry_start NAME VARIANT(plain|basic|tls|token): sets REG_<NAME>_PORT,
# REG_<NAME>_DIR; the registry's log is $dir/registry.log.
registry_start() {
  local name=$1 variant=$2 dir port extra=""
  dir="$REG_ROOT/$name"
  mkdir -p "$dir/storage"
  port=$(free_port)
  case "$variant" in
  basic)
    htpasswd -Bbc "$dir/htpasswd" "$REG_USER" "$REG_PASS" >/dev/null 2>&1
    extra=$(printf 'auth:\n  htpasswd:\n    realm: berth-test\n    path: %s\n' "$dir/htpasswd")
    ;;
  tls)
    make_test_ca "$dir"
    extra=$(printf '  tls:\n    certificate: %s\n    key: %s\n' "$dir/server.crt" "$dir/server.key")
    ;;
  token)
    token_server_start "$dir"
    extra=$(printf 'auth:\n  token:\n    realm: http://127.0.0.1:%s/cgi-bin/token\n    service: berth-test\n    issuer: berth-test-issuer\n    rootcertbundle: %s\n' \
      "$TOKEN_PORT" "$dir/token.crt")
    ;;
  esac
  {
    printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$dir/storage"
    printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
    if [ "$variant" = tls ]; then printf '%s\n' "$extra"; fi
    if [ "$variant" = basic ] || [ "$variant" = token ]; then printf '%s\n' "$extra"; fi
  } >"$dir/config.yml"
  "$REGISTRY_BIN" serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  echo $! >"$dir/pid"
  wait_port "$port"
  eval "REG_${name}_PORT=$port"
  eval "REG_${name}_DIR=$dir"
  export "REG_${name}_PORT" "REG_${name}_DIR"
}

registry_stop_all() {
  local p
  [ -n "${REG_ROOT:-}" ] || return 0
  for p in "$REG_ROOT"/*/pid "$REG_ROOT"/*/token.pid; do
    [ -f "$p" ] || continue
    kill "$(cat "$p")" 2>/dev/null || true
    wait "$(cat "$p")" 2>/dev/null || true
  done
  rm -rf "$REG_ROOT"
}

# A CA and a server certificate for 127.0.0.1 in dir (ca.crt, server.*).
make_test_ca() {
  local d=$1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=berth test CA" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/ext.cnf" -out "$d/server.crt" 2>/dev/null
  mkdir -p "$d/certs"
  cp "$d/ca.crt" "$d/certs/ca.crt"
}

# The token server: busybox httpd guards /cgi-bin with basic auth (the
# test user) and runs a CGI that answers {"token": <RS256 JWT>} granting
# the scopes asked for.  The signing certificate is the registry's
# rootcertbundle; the JWT carries it in x5c.
token_server_start() {
  local d=$1
  mkdir -p "$d/www/cgi-bin"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=berth token signer" \
    -keyout "$d/token.key" -out "$d/token.crt" 2>/dev/null
  openssl x509 -in "$d/token.crt" -outform DER | base64 -w0 >"$d/token.x5c"
  printf '/cgi-bin:%s:%s\n' "$REG_USER" "$REG_PASS" >"$d/httpd.conf"
  cat >"$d/www/cgi-bin/token" <<CGI
#!/bin/sh
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }
urldecode() { printf '%s' "\$1" | sed 's/+/ /g; s/%3[Aa]/:/g; s/%2[Ff]/\\//g; s/%2[Cc]/,/g; s/%2[Dd]/-/g; s/%5[Ff]/_/g; s/%2[Ee]/./g'; }
access=""
for kv in \$(printf '%s' "\$QUERY_STRING" | tr '&' ' '); do
  case "\$kv" in
  scope=*)
    s=\$(urldecode "\${kv#scope=}")
    type=\${s%%:*}; rest=\${s#*:}; actions=\${rest##*:}; name=\${rest%:*}
    acts=\$(printf '%s' "\$actions" | sed 's/[^,][^,]*/"&"/g')
    entry="{\"type\":\"\$type\",\"name\":\"\$name\",\"actions\":[\$acts]}"
    access="\${access:+\$access,}\$entry"
    ;;
  esac
done
now=\$(date +%s)
header=\$(printf '{"typ":"JWT","alg":"RS256","x5c":["%s"]}' "\$(cat $d/token.x5c)" | b64url)
claims=\$(printf '{"iss":"berth-test-issuer","sub":"%s","aud":"berth-test","exp":%s,"nbf":%s,"iat":%s,"jti":"%s","access":[%s]}' \
  "\$REMOTE_USER" \$((now + 300)) \$((now - 10)) \$now "\$now\$\$" "\$access" | b64url)
sig=\$(printf '%s.%s' "\$header" "\$claims" | openssl dgst -sha256 -sign $d/token.key | b64url)
echo "\$access" >>$d/token-requests.log
printf 'Content-Type: application/json\r\n\r\n'
printf '{"token":"%s.%s.%s","expires_in":300}\n' "\$header" "\$claims" "\$sig"
CGI
  chmod +x "$d/www/cgi-bin/token"
  TOKEN_PORT=$(free_port)
  busybox httpd -f -p "127.0.0.1:$TOKEN_PORT" -h "$d/www" -c "$d/httpd.conf" -r berth-test &
  echo $! >"$d/token.pid"
  wait_port "$TOKEN_PORT"
}

# make_oci_image DIR [EXTRA_RANDOM_MB] [ARCH]: an OCI layout with a busybox
# layer (and an extra random-data layer) for linux/ARCH (default amd64).
make_oci_image() {
  local out=$1 extra_mb=${2:-0} arch=${3:-amd64} work t
  LAYERS="" DIFFS=""
  work=$(mktemp -d "$REG_ROOT/img.XXXXXX")
  mkdir -p "$out/blobs/sha256" "$work/rootfs/bin" "$work/rootfs/etc"
  cp /bin/busybox "$work/rootfs/bin/busybox"
  for t in sh ls cat echo true; do ln -s busybox "$work/rootfs/bin/$t"; done
  echo "$arch" >"$work/rootfs/etc/arch"
  tar -C "$work/rootfs" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$work/l1.tar" .
  add_layer "$out" "$work/l1.tar"
  if [ "$extra_mb" -gt 0 ]; then
    mkdir -p "$work/extra/data"
    head -c "$((extra_mb * 1024 * 1024))" /dev/urandom >"$work/extra/data/random.bin"
    tar -C "$work/extra" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$work/l2.tar" .
    add_layer "$out" "$work/l2.tar"
  fi
  jq -n --arg arch "$arch" --argjson diffs "[$DIFFS]" \
    '{architecture: $arch, os: "linux", created: "2024-01-01T00:00:00Z",
      config: {Cmd: ["/bin/sh"], Env: ["PATH=/bin"]}, rootfs: {type: "layers", diff_ids: $diffs}}' \
    >"$work/config.json"
  local cd cs
  cd=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  cs=$(stat -c %s "$work/config.json")
  cp "$work/config.json" "$out/blobs/sha256/$cd"
  jq -n --arg cd "sha256:$cd" --argjson cs "$cs" --argjson layers "[$LAYERS]" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
      layers: $layers}' >"$work/manifest.json"
  local md ms
  md=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
  ms=$(stat -c %s "$work/manifest.json")
  cp "$work/manifest.json" "$out/blobs/sha256/$md"
  echo '{"imageLayoutVersion": "1.0.0"}' >"$out/oci-layout"
  jq -n --arg md "sha256:$md" --argjson ms "$ms" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
      annotations: {"org.opencontainers.image.ref.name": "latest"}}]}' >"$out/index.json"
  IMAGE_MANIFEST_DIGEST="sha256:$md"
  rm -rf "$work"
  LAYERS="" DIFFS=""
}

add_layer() {
  local out=$1 tarfile=$2 diff gz size
  diff=$(sha256sum "$tarfile" | cut -d' ' -f1)
  gzip -n -1 -c "$tarfile" >"$tarfile.gz"
  gz=$(sha256sum "$tarfile.gz" | cut -d' ' -f1)
  size=$(stat -c %s "$tarfile.gz")
  mv "$tarfile.gz" "$out/blobs/sha256/$gz"
  LAYERS="${LAYERS:+$LAYERS,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$gz\",\"size\":$size}"
  DIFFS="${DIFFS:+$DIFFS,}\"sha256:$diff\""
}

# skopeo_push OCI_DIR HOST:PORT/REPO:TAG [skopeo options]
skopeo_push() {
  local src=$1 dest=$2
  shift 2
  skopeo copy --quiet --dest-tls-verify=false "$@" "oci:$src" "docker://$dest"
}

# berth with a private store and config; extra env from the caller.
berth() {
  "$BERTH" --root "$BERTH_ROOT" "$@"
}
