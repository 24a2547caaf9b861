#!/bin/sh
# One-shot: creates the namespace (temporalio/server does not) and registers Convo's custom search attributes on it
# with the temporal CLI. Safe to run again: existing ones are left as they are.
set -eu
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
: "${TEMPORAL_ADDRESS:=temporal:7233}"
host="${TEMPORAL_ADDRESS%:*}"
port="${TEMPORAL_ADDRESS##*:}"
# Use the IPv4 address: the CLI may otherwise try an address the server does not listen on.
ip=$(getent ahosts "$host" | grep STREAM | head -1 | awk '{ print $1 }')
export TEMPORAL_ADDRESS="${ip:-$host}:$port"
max="${SETUP_HEALTH_TRIES:-60}"

# Runs "$@" until it succeeds, every 2 s, at most $max times; then prints what it said last and fails.
retry() {
  tries=0
  until out=$("$@" 2>&1); do
    tries=$((tries + 1))
    if [ "$tries" -ge "$max" ]; then
      echo "$out" >&2
      return 1
    fi
    sleep 2
  done
  printf '%s\n' "$out"
}

retry temporal operator cluster health >/dev/null \
  || { echo "Temporal at $TEMPORAL_ADDRESS is not healthy after $max tries" >&2; exit 1; }

temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 \
  || temporal operator namespace create --namespace "$NAMESPACE" --retention 7d

# A new namespace reaches the server's namespace cache after a few seconds: until then listing fails.
existing=$(retry temporal operator search-attribute list --namespace "$NAMESPACE")
for attribute in ConversationStatus:Keyword ConversationBackend:Keyword ConversationAccount:Keyword TurnCount:Int RateLimitedUntil:Datetime CostUsd:Double; do
  name="${attribute%%:*}"
  type="${attribute#*:}"
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    retry temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
  fi
done
echo "namespace $NAMESPACE ready with Convo's search attributes"
