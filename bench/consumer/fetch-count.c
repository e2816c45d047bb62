/*
 * A counting consumer in C for the consume rows of bench/run.ts: one TCP connection, one Fetch
 * (v12) in flight, every partition of one topic from offset 0, records counted from the v2 batch
 * headers only. It does the same work as consumeLoad() in bench/lib/load.ts but costs a fraction
 * of its CPU, so that on a 2-core machine the consumer is not what limits the row.
 *
 *   fetch-count HOST PORT TOPIC EXPECTED_0 [EXPECTED_1 ...]
 *   fetch-count --drain HOST PORT
 *
 * EXPECTED_p is how many records to read from partition p. Prints one JSON line:
 *   {"records":N,"batchBytes":N,"fetches":N,"elapsedMs":F,"cpuMs":F,"complete":true|false}
 * --drain reads a raw byte stream until the peer closes it (the read baseline's receiver) and
 * prints {"bytes":N,"elapsedMs":F,"cpuMs":F}. Times run from the connection being open.
 * Exit status 0 when the line was printed (complete or not), 1 on a protocol or socket error
 * (the reason on stderr).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { FETCH_KEY = 1, FETCH_VERSION = 12, MAX_PARTITIONS = 4096 };
static const int32_t MAX_WAIT_MS = 100, MIN_BYTES = 1, MAX_BYTES = 52428800,
                     PARTITION_MAX_BYTES = 1048576;
/* The reader gives up (and prints complete:false) after this long. */
static const double TIMEOUT_MS = 60000;
/* v2 batch header: baseOffset(8) batchLength(4) ... lastOffsetDelta at 23, recordCount at 57. */
enum { LOG_OVERHEAD = 12, LAST_OFFSET_DELTA_AT = 23, RECORD_COUNT_AT = 57 };

static void fail(const char *what) {
  fprintf(stderr, "fetch-count: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
  exit(1);
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double cpu_ms(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3;
}

/* ---- encoding ---------------------------------------------------------------------------- */

typedef struct {
  uint8_t *data;
  size_t length, capacity;
} bytes_t;

static void reserve(bytes_t *b, size_t more) {
  if (b->length + more <= b->capacity) return;
  size_t capacity = b->capacity ? b->capacity : 4096;
  while (capacity < b->length + more) capacity *= 2;
  b->data = realloc(b->data, capacity);
  if (!b->data) fail("out of memory");
  b->capacity = capacity;
}

static void put(bytes_t *b, const void *src, size_t n) {
  reserve(b, n);
  memcpy(b->data + b->length, src, n);
  b->length += n;
}

static void put8(bytes_t *b, uint8_t v) { put(b, &v, 1); }
static void put16(bytes_t *b, int16_t v) {
  uint16_t n = htons((uint16_t)v);
  put(b, &n, 2);
}
static void put32(bytes_t *b, int32_t v) {
  uint32_t n = htonl((uint32_t)v);
  put(b, &n, 4);
}
static void put64(bytes_t *b, int64_t v) {
  put32(b, (int32_t)((uint64_t)v >> 32));
  put32(b, (int32_t)(uint32_t)v);
}
static void put_uvarint(bytes_t *b, uint64_t v) {
  while (v >= 0x80) {
    put8(b, (uint8_t)(v | 0x80));
    v >>= 7;
  }
  put8(b, (uint8_t)v);
}

/* ---- decoding ---------------------------------------------------------------------------- */

typedef struct {
  const uint8_t *at, *end;
} reader_t;

static const uint8_t *take(reader_t *r, size_t n) {
  if ((size_t)(r->end - r->at) < n) {
    errno = 0;
    fail("truncated Fetch response");
  }
  const uint8_t *p = r->at;
  r->at += n;
  return p;
}
static int16_t get16(reader_t *r) {
  const uint8_t *p = take(r, 2);
  return (int16_t)(p[0] << 8 | p[1]);
}
static int32_t get32(reader_t *r) {
  const uint8_t *p = take(r, 4);
  return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}
static uint64_t get_uvarint(reader_t *r) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    uint8_t byte = *take(r, 1);
    value |= (uint64_t)(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return value;
  }
  errno = 0;
  fail("bad varint in Fetch response");
  return 0;
}
static void skip_tagged_fields(reader_t *r) {
  for (uint64_t n = get_uvarint(r); n > 0; n--) {
    get_uvarint(r);
    take(r, get_uvarint(r));
  }
}
static int32_t be32(const uint8_t *p) {
  return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

/* ---- socket ------------------------------------------------------------------------------ */

static int connect_to(const char *host, const char *port) {
  struct addrinfo hints = {0}, *found;
  hints.ai_socktype = SOCK_STREAM;
  int resolved = getaddrinfo(host, port, &hints, &found);
  if (resolved != 0) {
    fprintf(stderr, "fetch-count: cannot resolve %s: %s\n", host, gai_strerror(resolved));
    exit(1);
  }
  int fd = -1;
  for (struct addrinfo *address = found; address != NULL && fd < 0; address = address->ai_next) {
    fd = socket(address->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, address->ai_addr, address->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) fail("cannot connect");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static void send_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t sent = send(fd, p, n, 0);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) fail("send");
    p += sent;
    n -= (size_t)sent;
  }
}

static void recv_all(int fd, uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t got = recv(fd, p, n, MSG_WAITALL);
    if (got < 0 && errno == EINTR) continue;
    if (got == 0) errno = 0;
    if (got <= 0) fail("the broker closed the connection");
    p += got;
    n -= (size_t)got;
  }
}

/* ---- main -------------------------------------------------------------------------------- */

static int drain(const char *host, const char *port) {
  int fd = connect_to(host, port);
  enum { CHUNK = 1 << 20 };
  static uint8_t sink[CHUNK];
  long long bytes = 0;
  double started = now_ms(), cpu_started = cpu_ms();
  for (;;) {
    ssize_t got = recv(fd, sink, CHUNK, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail("recv");
    if (got == 0) break;
    bytes += got;
  }
  printf("{\"bytes\":%lld,\"elapsedMs\":%.3f,\"cpuMs\":%.3f}\n", bytes, now_ms() - started,
         cpu_ms() - cpu_started);
  close(fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--drain") == 0) return drain(argv[2], argv[3]);
  if (argc < 5) {
    fprintf(stderr, "usage: fetch-count HOST PORT TOPIC EXPECTED_0 [EXPECTED_1 ...]\n"
                    "       fetch-count --drain HOST PORT\n");
    return 2;
  }
  const char *topic = argv[3];
  int partitions = argc - 4;
  if (partitions > MAX_PARTITIONS) {
    fprintf(stderr, "fetch-count: at most %d partitions\n", MAX_PARTITIONS);
    return 2;
  }
  static int64_t expected[MAX_PARTITIONS], offset[MAX_PARTITIONS], got[MAX_PARTITIONS];
  int open_partitions = 0;
  for (int p = 0; p < partitions; p++) {
    expected[p] = strtoll(argv[4 + p], NULL, 10);
    if (expected[p] > 0) open_partitions++;
  }
  int fd = connect_to(argv[1], argv[2]);

  bytes_t request = {0};
  uint8_t *frame = NULL;
  size_t frame_capacity = 0;
  int64_t records = 0, batch_bytes = 0, fetches = 0;
  double started = now_ms(), cpu_started = cpu_ms();
  int32_t correlation = 0;
  size_t topic_length = strlen(topic);

  while (open_partitions > 0 && now_ms() - started < TIMEOUT_MS) {
    /* Fetch v12, request header v2 */
    request.length = 0;
    put32(&request, 0); /* size, filled below */
    put16(&request, FETCH_KEY);
    put16(&request, FETCH_VERSION);
    put32(&request, ++correlation);
    put16(&request, 11);
    put(&request, "fetch-count", 11);
    put_uvarint(&request, 0); /* header tagged fields */
    put32(&request, -1);      /* replica id: a consumer */
    put32(&request, MAX_WAIT_MS);
    put32(&request, MIN_BYTES);
    put32(&request, MAX_BYTES);
    put8(&request, 0);   /* read uncommitted */
    put32(&request, 0);  /* no fetch session */
    put32(&request, -1); /* session epoch: full fetch */
    put_uvarint(&request, 2); /* one topic */
    put_uvarint(&request, topic_length + 1);
    put(&request, topic, topic_length);
    put_uvarint(&request, (uint64_t)open_partitions + 1);
    for (int p = 0; p < partitions; p++) {
      if (got[p] >= expected[p]) continue;
      put32(&request, p);
      put32(&request, -1); /* current leader epoch: unknown */
      put64(&request, offset[p]);
      put32(&request, -1); /* last fetched epoch */
      put64(&request, -1); /* log start offset: a consumer */
      put32(&request, PARTITION_MAX_BYTES);
      put_uvarint(&request, 0);
    }
    put_uvarint(&request, 0); /* topic tagged fields */
    put_uvarint(&request, 1); /* no forgotten topics */
    put_uvarint(&request, 1); /* rack id "" */
    put_uvarint(&request, 0); /* tagged fields */
    uint32_t size = htonl((uint32_t)(request.length - 4));
    memcpy(request.data, &size, 4);
    send_all(fd, request.data, request.length);

    uint8_t size_bytes[4];
    recv_all(fd, size_bytes, 4);
    int32_t length = be32(size_bytes);
    if (length < 4) {
      errno = 0;
      fail("bad response size");
    }
    if ((size_t)length > frame_capacity) {
      frame_capacity = (size_t)length * 2;
      free(frame);
      frame = malloc(frame_capacity);
      if (!frame) fail("out of memory");
    }
    recv_all(fd, frame, (size_t)length);
    fetches++;

    reader_t r = {frame, frame + length};
    if (get32(&r) != correlation) {
      errno = 0;
      fail("response to another request");
    }
    skip_tagged_fields(&r);
    get32(&r); /* throttle time */
    int16_t error = get16(&r);
    if (error != 0) {
      fprintf(stderr, "fetch-count: Fetch error %d\n", error);
      return 1;
    }
    get32(&r); /* session id */
    for (uint64_t topics = get_uvarint(&r); topics > 1; topics--) {
      take(&r, get_uvarint(&r) - 1); /* topic name */
      for (uint64_t n = get_uvarint(&r); n > 1; n--) {
        int32_t p = get32(&r);
        int16_t partition_error = get16(&r);
        if (partition_error != 0) {
          fprintf(stderr, "fetch-count: Fetch partition %d error %d\n", p, partition_error);
          return 1;
        }
        take(&r, 24); /* high watermark, last stable offset, log start offset */
        for (uint64_t aborted = get_uvarint(&r); aborted > 1; aborted--) {
          take(&r, 16);
          skip_tagged_fields(&r);
        }
        get32(&r); /* preferred read replica */
        uint64_t records_length = get_uvarint(&r);
        const uint8_t *blob = records_length > 0 ? take(&r, records_length - 1) : NULL;
        size_t blob_length = records_length > 0 ? records_length - 1 : 0;
        skip_tagged_fields(&r);
        if (p < 0 || p >= partitions) continue;
        /* whole batches only; a trailing partial one is read again next time (KIP-74) */
        size_t at = 0;
        while (blob_length - at >= LOG_OVERHEAD) {
          size_t batch = (size_t)be32(blob + at + 8) + LOG_OVERHEAD;
          if (batch > blob_length - at || batch < RECORD_COUNT_AT + 4) break;
          int64_t base = (int64_t)((uint64_t)(uint32_t)be32(blob + at) << 32 |
                                   (uint32_t)be32(blob + at + 4));
          offset[p] = base + be32(blob + at + LAST_OFFSET_DELTA_AT) + 1;
          int32_t count = be32(blob + at + RECORD_COUNT_AT);
          got[p] += count;
          records += count;
          batch_bytes += (int64_t)batch;
          at += batch;
        }
      }
      skip_tagged_fields(&r);
    }
    open_partitions = 0;
    for (int p = 0; p < partitions; p++) {
      if (got[p] < expected[p]) open_partitions++;
    }
  }
  double elapsed = now_ms() - started;
  double cpu = cpu_ms() - cpu_started;
  printf("{\"records\":%lld,\"batchBytes\":%lld,\"fetches\":%lld,\"elapsedMs\":%.3f,\"cpuMs\":%.3f,"
         "\"complete\":%s}\n",
         (long long)records, (long long)batch_bytes, (long long)fetches, elapsed, cpu,
         open_partitions == 0 ? "true" : "false");
  close(fd);
  return 0;
}
