#!/usr/bin/env bash
# End to end: the HTTP edge under attack. While a client keeps sending good /v1/batch requests and
# a probe times /healthz, one server takes at once: gzip, deflate and brotli bombs (1 GiB inside),
# a 300 MB chunked body with and without credentials, a length-less body, 100k headers, 10
# slow-loris clients, 60 idle keep-alive connections and a 200,000-deep JSON array. Asserted: each
# attack's status (401/413/431/400) or a closed connection, /healthz always answers (< 1 s; the
# measured figure is printed), every good batch lands, and the server's peak RSS stays under
# 300 MB. The attacks are in adversarial_attacks.py.
source "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

WK=$(sp keys create --kind write --name e2e --json | json token)
AT=$(sp keys create --kind admin --name e2e --json | json token)

# The brotli bomb: Python has no brotli module, so a few lines of C against libbrotlienc make one
# (1 GiB of zeros at quality 1: ~190 KB, a fraction of a second). Without a C compiler the
# brotli attack is skipped (and said so).
BROTLI=-
cat >"$WORK/brotli_bomb.c" <<'C'
#include <brotli/encode.h>
#include <stdio.h>
int main(void) {
  static uint8_t zeros[1 << 20], out[1 << 16];
  size_t total = (size_t)1 << 30, done = 0;
  BrotliEncoderState* s = BrotliEncoderCreateInstance(0, 0, 0);
  BrotliEncoderSetParameter(s, BROTLI_PARAM_QUALITY, 1);
  for (;;) {
    BrotliEncoderOperation op = done < total ? BROTLI_OPERATION_PROCESS : BROTLI_OPERATION_FINISH;
    size_t avail_in = done < total ? sizeof zeros : 0;
    const uint8_t* next_in = zeros;
    do {
      size_t avail_out = sizeof out;
      uint8_t* next_out = out;
      if (!BrotliEncoderCompressStream(s, op, &avail_in, &next_in, &avail_out, &next_out, 0)) return 1;
      fwrite(out, 1, sizeof out - avail_out, stdout);
    } while (avail_in > 0 || BrotliEncoderHasMoreOutput(s));
    if (op == BROTLI_OPERATION_FINISH && BrotliEncoderIsFinished(s)) return 0;
    done += sizeof zeros;
  }
}
C
if cc -O2 "$WORK/brotli_bomb.c" -lbrotlienc -o "$WORK/brotli_bomb" 2>"$WORK/cc.log" &&
    "$WORK/brotli_bomb" >"$WORK/bomb.br"; then
  BROTLI=$WORK/bomb.br
else
  echo "skip brotli bomb: no C compiler or libbrotli-dev ($(head -1 "$WORK/cc.log"))"
fi

start_server
if python3 "$HERE/adversarial_attacks.py" "$URL" "$WK" "$AT" "$SERVER_PID" "$BROTLI"; then
  PASSES=$((PASSES + 1))
else
  FAILURES=$((FAILURES + 1))
fi
check "the server is still up after the attacks" "$(curl -s -m 5 "$URL/healthz" | json status)" "ok"
finish
