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

tries=0
until temporal operator cluster health >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -ge 60 ] && { echo "Temporal at $TEMPORAL_ADDRESS is not healthy after 2 minutes" >&2; exit 1; }
  sleep 2
done

temporal operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1 \
  || temporal operator namespace create --namespace "$NAMESPACE" --retention 7d

existing=$(temporal operator search-attribute list --namespace "$NAMESPACE")
for attribute in ConversationStatus:Keyword ConversationBackend:Keyword ConversationAccount:Keyword TurnCount:Int RateLimitedUntil:Datetime; do
  name="${attribute%%:*}"
  type="${attribute#*:}"
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name already registered"
  else
    temporal operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type"
  fi
done
echo "namespace $NAMESPACE ready with Convo's search attributes"
