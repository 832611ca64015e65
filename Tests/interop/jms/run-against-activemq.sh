#!/bin/bash
# Runs every PierJms scenario against a fresh Debian ActiveMQ 5.17 (the reference), then the
# failover pair against two ActiveMQ instances sharing one KahaDB (active/standby).
#
#   ./run-against-activemq.sh                 # everything
#   ./run-against-activemq.sh types dlq       # only these scenarios (add "failover" or "failover-tx" to include them)
#
# Needs: apt-get install -y activemq (brings libactivemq-java), Java 17, python3 (free ports only).
# Brokers bind 127.0.0.1 on free ports and are stopped by PID. Logs of the last run: ./last-run/
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CP=/usr/share/java/activemq-client.jar:/usr/share/java/geronimo-jms_1.1_spec.jar:/usr/share/java/geronimo-j2ee-management-1.1-spec.jar:/usr/share/java/hawtbuf.jar:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-nop.jar
AMQ_HOME=/usr/share/activemq
SCENARIOS=(types competing topics client-ack transactions selectors request-reply browser dlq large prefetch-redelivery composite)
FAILOVER_COUNT=${FAILOVER_COUNT:-2000}

if [ $# -gt 0 ]; then
  SELECTED=("$@")
else
  SELECTED=("${SCENARIOS[@]}" failover failover-tx failover-tx-consume)
fi

[ -f $AMQ_HOME/bin/activemq.jar ] || { echo "ActiveMQ missing: apt-get install -y activemq" >&2; exit 2; }

# ---- compile if needed
mkdir -p "$HERE/classes"
if [ ! -f "$HERE/classes/PierJms.class" ] || [ -n "$(find "$HERE" -maxdepth 1 -name '*.java' -newer "$HERE/classes/PierJms.class")" ]; then
  echo "compiling..."
  javac -nowarn -d "$HERE/classes" -cp "$CP" "$HERE"/*.java || exit 2
fi

WORK=$(mktemp -d /tmp/pier-jms-amq.XXXXXX)
LOGDIR="$HERE/last-run"
rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    fi
  done
  for d in "$WORK"/b-*; do [ -f "$d/broker.log" ] && cp "$d/broker.log" "$LOGDIR/$(basename "$d").log"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$2"; }

# start_broker NAME PORT KAHADB_DIR -> sets BROKER_PID; waits for the port unless 4th arg is "standby"
start_broker() {
  local name=$1 port=$2 kaha=$3 mode=${4:-active}
  local B="$WORK/b-$name"
  mkdir -p "$B/conf" "$B/data" "$B/lib"
  cat > "$B/conf/activemq.xml" <<EOF
<beans xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans-2.0.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" useJmx="false" persistent="true"
          brokerName="$name" dataDirectory="$B/data">
    <persistenceAdapter>
      <kahaDB directory="$kaha"><locker><shared-file-locker lockAcquireSleepInterval="1000"/></locker></kahaDB>
    </persistenceAdapter>
    <transportConnectors>
      <transportConnector name="openwire" uri="tcp://127.0.0.1:$port"/>
    </transportConnectors>
  </broker>
</beans>
EOF
  cat > "$B/conf/log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stdout
log4j.logger.org.apache.activemq.broker=INFO
log4j.logger.org.apache.activemq.store.SharedFileLocker=INFO
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=%d %-5p %c - %m%n
EOF
  ( cd "$B" && exec java -Xmx256M -Djava.awt.headless=true --add-reads=java.xml=java.logging \
    --add-opens java.base/java.security=ALL-UNNAMED --add-opens java.base/java.net=ALL-UNNAMED \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED \
    --add-opens java.naming/javax.naming.spi=ALL-UNNAMED --add-opens java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED \
    --add-opens java.base/java.util.concurrent=ALL-UNNAMED --add-opens java.base/java.util.concurrent.atomic=ALL-UNNAMED \
    -Dactivemq.classpath="$B/conf" -Dactivemq.home=$AMQ_HOME -Dactivemq.base="$B" \
    -Dactivemq.conf="$B/conf" -Dactivemq.data="$B/data" \
    -jar $AMQ_HOME/bin/activemq.jar start "xbean:file:$B/conf/activemq.xml" ) </dev/null >"$B/broker.log" 2>&1 &
  BROKER_PID=$!
  PIDS+=("$BROKER_PID")
  if [ "$mode" = active ]; then
    for _ in $(seq 1 600); do
      kill -0 "$BROKER_PID" 2>/dev/null || { echo "broker $name died:"; tail -20 "$B/broker.log"; return 1; }
      (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0
      sleep 0.1
    done
    echo "broker $name not listening on $port after 60 s"; return 1
  else
    # standby: wait until it reports that the store is locked (it then binds no port)
    for _ in $(seq 1 300); do
      kill -0 "$BROKER_PID" 2>/dev/null || { echo "broker $name died:"; tail -20 "$B/broker.log"; return 1; }
      grep -q -i "locked by another server\|slave" "$B/broker.log" && return 0
      sleep 0.1
    done
    echo "standby $name did not report the lock after 30 s"; return 1
  fi
}

stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
}

declare -a SUMMARY
FAILED=0

record() { # name status seconds line
  SUMMARY+=("$(printf '%-18s %-4s %6ss  %s' "$1" "$2" "$3" "$4")")
  [ "$2" = PASS ] || FAILED=$((FAILED + 1))
}

run_scenario() { # name url [args...]
  local name=$1; shift
  local t0 t1 out rc line
  t0=$(now)
  out=$(PIER_JMS_TIMEOUT=${PIER_JMS_TIMEOUT:-60} timeout 120 java -cp "$CP:$HERE/classes" PierJms "$name" "$@" 2>"$LOGDIR/$name.stderr")
  rc=$?
  t1=$(now)
  echo "$out"
  line=$(echo "$out" | grep -E "^(PASS|FAIL) " | tail -1)
  [ -z "$line" ] && line="FAIL $name: no verdict (exit $rc)"
  if [ $rc -eq 0 ] && [[ $line == PASS* ]]; then record "$name" PASS "$(elapsed "$t0" "$t1")" "${line#PASS $name }"
  else record "$name" FAIL "$(elapsed "$t0" "$t1")" "${line#FAIL $name: }"; fi
}

# ---- the single broker for the ordinary scenarios
NEED_MAIN=0
for s in "${SELECTED[@]}"; do [ "$s" != failover ] && [ "$s" != failover-tx ] && [ "$s" != failover-tx-consume ] && NEED_MAIN=1; done
if [ $NEED_MAIN = 1 ]; then
  P=$(free_port)
  t0=$(now)
  start_broker main "$P" "$WORK/b-main/data/kahadb" || exit 2
  MAIN_PID=$BROKER_PID
  echo "ActiveMQ main: pid $MAIN_PID, tcp://127.0.0.1:$P (up in $(elapsed "$t0" "$(now)") s)"
  for s in "${SELECTED[@]}"; do
    [ "$s" = failover ] || [ "$s" = failover-tx ] || [ "$s" = failover-tx-consume ] && continue
    run_scenario "$s" "tcp://127.0.0.1:$P"
  done
  stop_pid "$MAIN_PID"
fi

# ---- failover: active/standby on one KahaDB, kill -9 the active one mid-stream
for s in "${SELECTED[@]}"; do
  [ "$s" = failover ] || continue
  t0=$(now)
  SHARED="$WORK/shared-kahadb"; mkdir -p "$SHARED"
  PA=$(free_port); PB=$(free_port)
  start_broker ha-a "$PA" "$SHARED" || exit 2
  PID_A=$BROKER_PID
  start_broker ha-b "$PB" "$SHARED" standby || exit 2
  PID_B=$BROKER_PID
  echo "ActiveMQ ha-a (active): pid $PID_A port $PA; ha-b (standby): pid $PID_B port $PB"
  FURL="failover:(tcp://127.0.0.1:$PA,tcp://127.0.0.1:$PB)?randomize=false&jms.useAsyncSend=false"
  PROD_FILE="$LOGDIR/failover-producer.ids"; CONS_FILE="$LOGDIR/failover-consumer.ids"
  rm -f "$PROD_FILE" "$CONS_FILE"; touch "$PROD_FILE"
  tp0=$(now)
  java -cp "$CP:$HERE/classes" PierJms failover-producer "$FURL" "$FAILOVER_COUNT" "$PROD_FILE" \
      >"$LOGDIR/failover-producer.out" 2>"$LOGDIR/failover-producer.stderr" &
  PROD_PID=$!
  PIDS+=("$PROD_PID")
  # kill the active broker after ~1 s, but only once the producer is visibly mid-stream
  sleep 1
  for _ in $(seq 1 100); do [ "$(wc -l < "$PROD_FILE")" -ge 50 ] && break; sleep 0.1; done
  AT_KILL=$(wc -l < "$PROD_FILE")
  PROD_ALIVE_AT_KILL=1; kill -0 "$PROD_PID" 2>/dev/null || PROD_ALIVE_AT_KILL=0
  kill -9 "$PID_A"
  tk=$(now)
  { wait "$PID_A"; } 2>/dev/null   # reap it quietly (no "Killed" job notice)
  echo "kill -9 ha-a (pid $PID_A) at $(elapsed "$tp0" "$tk") s after producer start, producer had confirmed $AT_KILL"
  # standby takeover time
  for _ in $(seq 1 300); do (echo > /dev/tcp/127.0.0.1/$PB) 2>/dev/null && break; sleep 0.05; done
  echo "ha-b listening $(elapsed "$tk" "$(now)") s after the kill"
  wait "$PROD_PID"; PROD_RC=$?
  cat "$LOGDIR/failover-producer.out"
  PROD_LINE=$(grep -E "^(PASS|FAIL) " "$LOGDIR/failover-producer.out" | tail -1)
  run_scenario failover-consumer "$FURL" "$CONS_FILE" "$PROD_FILE"
  # independent check in shell: every confirmed id is in the consumer's file
  CONFIRMED=$(sort -u "$PROD_FILE" | wc -l)
  MISSING=$(comm -23 <(sort -u "$PROD_FILE") <(sort -u "$CONS_FILE") | wc -l)
  DUPS=$(sort "$CONS_FILE" | uniq -d | wc -l)
  RECEIVED=$(wc -l < "$CONS_FILE")
  t1=$(now)
  DETAIL="producer[${PROD_LINE}] confirmed=$CONFIRMED received=$RECEIVED missing=$MISSING duplicated_ids=$DUPS killed_at=$AT_KILL"
  if [ $PROD_RC -ne 0 ]; then record failover FAIL "$(elapsed "$t0" "$t1")" "producer exit $PROD_RC; $DETAIL"
  elif [ $PROD_ALIVE_AT_KILL = 0 ] || [ "$AT_KILL" -ge "$FAILOVER_COUNT" ]; then
    record failover FAIL "$(elapsed "$t0" "$t1")" "producer had finished before the kill (not a failover test); $DETAIL"
  elif [ "$CONFIRMED" -ne "$FAILOVER_COUNT" ] || [ "$MISSING" -ne 0 ]; then record failover FAIL "$(elapsed "$t0" "$t1")" "$DETAIL"
  else record failover PASS "$(elapsed "$t0" "$t1")" "$DETAIL"; fi
  stop_pid "$PID_B"
done

# ---- failover-tx: a transaction open while the active one is killed, committed after the takeover
for s in "${SELECTED[@]}"; do
  [ "$s" = failover-tx ] || [ "$s" = failover-tx-consume ] || continue
  t0=$(now)
  SHARED="$WORK/shared-kahadb-$s"; mkdir -p "$SHARED"
  PA=$(free_port); PB=$(free_port)
  start_broker "$s-a" "$PA" "$SHARED" || exit 2
  PID_A=$BROKER_PID
  start_broker "$s-b" "$PB" "$SHARED" standby || exit 2
  PID_B=$BROKER_PID
  FURL="failover:(tcp://127.0.0.1:$PA,tcp://127.0.0.1:$PB)?randomize=false"
  FIFO="$WORK/$s.fifo"; mkfifo "$FIFO"
  PIER_JMS_TIMEOUT=90 java -cp "$CP:$HERE/classes" PierJms "$s" "$FURL" 20 <"$FIFO" \
      >"$LOGDIR/$s.out" 2>"$LOGDIR/$s.stderr" &
  TX_PID=$!
  PIDS+=("$TX_PID")
  exec 9>"$FIFO"
  for _ in $(seq 1 300); do grep -q -E '^(SENT|RECEIVED)' "$LOGDIR/$s.out" && break; sleep 0.1; done
  kill -9 "$PID_A"
  { wait "$PID_A"; } 2>/dev/null
  for _ in $(seq 1 300); do (echo > /dev/tcp/127.0.0.1/$PB) 2>/dev/null && break; sleep 0.05; done
  echo commit >&9
  exec 9>&-
  wait "$TX_PID"; rc=$?
  cat "$LOGDIR/$s.out"
  line=$(grep -E "^(PASS|FAIL) " "$LOGDIR/$s.out" | tail -1)
  if [ $rc -eq 0 ] && [[ $line == PASS* ]]; then record "$s" PASS "$(elapsed "$t0" "$(now)")" "${line#PASS $s }"
  else record "$s" FAIL "$(elapsed "$t0" "$(now)")" "${line:-no verdict (exit $rc)}"; fi
  stop_pid "$PID_B"
done

echo
echo "================ summary (ActiveMQ 5.17.2 reference) ================"
for l in "${SUMMARY[@]}"; do echo "$l"; done
echo "failed: $FAILED of ${#SUMMARY[@]}"
[ $FAILED -eq 0 ]
