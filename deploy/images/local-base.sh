#!/usr/bin/env bash
# Builds a base image for `mvn -Pimages package` from this machine alone, for builds that cannot
# pull eclipse-temurin:17-jre (no registry access). Output: a `docker save`-format tarball that Jib
# takes as `-Dimage.base=tar://<path>`:
#
#   deploy/images/local-base.sh                # -> deploy/cli/target/local-base.tar
#   mvn -Pimages package -Dimage.base=tar://$PWD/deploy/cli/target/local-base.tar
#
# What goes in (one layer, no package manager, no shell):
#   /opt/java/openjdk  a Java 17 runtime jlink'ed from this machine's JDK (the modules the app needs)
#   /usr/bin/curl      for the compose healthchecks (eclipse-temurin has it too)
#   the shared libraries those and PyTorch's native library load (ldd closure), from this machine
#   /etc/passwd, /etc/group (root and nonroot 65532), /etc/nsswitch.conf, /tmp (1777)
# The runtime is linked against this machine's glibc (Debian 12 here), and carries that glibc: the
# image runs on any x86-64 Linux kernel. Prefer eclipse-temurin wherever a registry is reachable.
set -euo pipefail
command -v ldd >/dev/null || { echo "local-base: needs ldd (glibc)" >&2; exit 1; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/deploy/cli/target/local-base.tar}"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
jlink="$java_home/bin/jlink"
[ -x "$jlink" ] && [ -d "$java_home/jmods" ] || { echo "local-base: needs a JDK 17 with jmods (JAVA_HOME=$java_home)" >&2; exit 1; }
"$java_home/bin/java" -version 2>&1 | grep -q '"17\.' || { echo "local-base: JAVA_HOME must be a JDK 17 ($java_home)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fs="$work/rootfs"
mkdir -p "$fs/opt/java" "$fs/tmp" "$fs/etc" "$fs/usr/bin"
chmod 1777 "$fs/tmp"

# jdeps --print-module-deps over the runtime classpath, plus what Kafka's TLS/SASL/Kerberos and the
# JVM's container metrics load by name.
modules=java.base,java.compiler,java.desktop,java.management,java.naming,java.net.http,java.rmi,java.scripting
modules+=,java.security.jgss,java.security.sasl,java.sql,jdk.httpserver,jdk.unsupported
modules+=,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.security.auth,jdk.security.jgss,jdk.naming.dns,jdk.zipfs,jdk.management
"$jlink" --module-path "$java_home/jmods" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --output "$fs/opt/java/openjdk"
# Debian's JDK keeps its security files as links into /etc: put the real files in.
for f in cacerts blocked.certs default.policy public_suffix_list.dat java.security; do
  for src in "$java_home/lib/security/$f" "$java_home/conf/security/$f"; do
    if [ -L "$src" ] && [ -e "$src" ]; then
      rel="${src#"$java_home"/}"
      rm -f "$fs/opt/java/openjdk/$rel"
      cp -L "$src" "$fs/opt/java/openjdk/$rel"
    fi
  done
done
cp -L "$(command -v curl)" "$fs/usr/bin/curl"

# Every shared library the runtime, curl and PyTorch's native library need, at the same path.
objects=("$fs/opt/java/openjdk/bin/java" "$fs/usr/bin/curl")
while IFS= read -r so; do objects+=("$so"); done < <(find "$fs/opt/java/openjdk/lib" -name '*.so')
native_jar="$(ls "$root"/deploy/cli/target/lib/pytorch-native-cpu-*-linux-x86_64.jar 2>/dev/null | head -1 || true)"
if [ -n "$native_jar" ]; then
  mkdir -p "$work/torch"
  (cd "$work/torch" && "$java_home/bin/jar" xf "$native_jar")
  while IFS= read -r so; do objects+=("$so"); done < <(find "$work/torch" -name '*.so*' -type f)
else
  echo "local-base: deploy/cli/target/lib has no pytorch-native-cpu jar (run mvn package first); PyTorch's libraries not checked" >&2
fi
missing=()
declare -A seen=()
for obj in "${objects[@]}"; do
  while IFS= read -r line; do
    case "$line" in
      *"not found"*)
        lib="${line%% =>*}"; lib="${lib//[[:space:]]/}"
        # The JDK's own libraries (libjvm.so is loaded by the launcher first) and those PyTorch
        # ships in its jar are found at run time without the loader's search path.
        [ -n "$(find "$fs/opt/java/openjdk/lib" "$work/torch" -name "$lib" 2>/dev/null | head -1)" ] \
          || missing+=("$lib (for ${obj#"$work"/})");;
      *"=>"*/*) path="${line#*=> }"; path="${path%% (*}";;
      /*) path="${line%% (*}";;
      *) continue;;
    esac
    # Libraries resolved inside the runtime or PyTorch's jar ($ORIGIN) are there already.
    case "${path:-}" in "$work"/*) path=;; esac
    if [ -n "${path:-}" ] && [ -z "${seen[$path]:-}" ]; then
      seen[$path]=1
      mkdir -p "$fs$(dirname "$path")"
      cp -L "$path" "$fs$path"
    fi
    path=
  done < <(ldd "$obj" 2>/dev/null || true)
done
# The loader at the path every binary names (PT_INTERP).
mkdir -p "$fs/lib64"
[ -e "$fs/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$fs/lib64/"
if [ "${#missing[@]}" -gt 0 ]; then
  printf 'local-base: libraries not on this machine: %s\n' "${missing[@]}" >&2
  exit 1
fi

printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$fs/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$fs/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$fs/etc/nsswitch.conf"
mkdir -p "$fs/root" "$fs/home/nonroot"
chmod 700 "$fs/root"

# One layer, owned by root, in `docker save` layout: manifest.json, the config, layer.tar.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='1970-01-01 00:00:01Z' -C "$fs" -cf "$work/layer.tar" .
diff_id="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/bin:/usr/bin:/bin","JAVA_HOME=/opt/java/openjdk","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created_by":"deploy/images/local-base.sh: jlink'ed Java 17 runtime, curl and their libraries from the build machine"}]}
JSON
echo '[{"Config":"config.json","RepoTags":["epochstream-local-base:17"],"Layers":["layer.tar"]}]' > "$work/manifest.json"
mkdir -p "$(dirname "$out")"
tar -C "$work" -cf "$out" manifest.json config.json layer.tar
echo "local-base: $out ($(du -h "$out" | cut -f1)); build with: mvn -Pimages package -Dimage.base=tar://$out"
