/* HMAC-SHA256 (RFC 2104) of many short messages in one call, for loaders/pseudonym.py.
 *
 * Python's hashlib costs ~0.8 us per HMAC of a 20-byte message (six calls, each with its own
 * overhead), while the two SHA-256 blocks it hashes take ~0.1 us with the CPU's SHA extensions:
 * a 4M-row voter list spent 5-6 CPU-s on its keyed hashes. This loop makes the same HMACs with
 * OpenSSL's SHA-256 (the library hashlib itself uses), keyed once per call. No cryptography here:
 * SHA-256 is OpenSSL's; this file only lays out RFC 2104 (inner hash of key^ipad + message, outer
 * hash of key^opad + inner digest), as loaders.pseudonym._Hmac does in Python (tests compare both
 * with hmac.digest).
 *
 * Built by `make install` (Makefile, NATIVE); without it the Python loop is used. SHA256_CTX and
 * the three functions are declared here as OpenSSL's <openssl/sha.h> declares them (a public,
 * stable layout since OpenSSL 0.9.8; deprecated in 3.0 but exported), so no headers are needed. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    unsigned int h[8];
    unsigned int Nl, Nh;
    unsigned int data[16];
    unsigned int num, md_len;
} SHA256_CTX;
int SHA256_Init(SHA256_CTX *c);
int SHA256_Update(SHA256_CTX *c, const void *data, size_t len);
int SHA256_Final(unsigned char *md, SHA256_CTX *c);

static void *(*const volatile wipe)(void *, int, size_t) = memset;

/* out[32*i .. 32*i+31] = HMAC-SHA256(key, label + data[starts[i] .. ends[i]-1]) for i < n.
 * padded_key: the key as RFC 2104 pads it (64 bytes: hashed if longer, then zero-filled). */
void ntb_hmac_sha256_many(const unsigned char *padded_key, const unsigned char *label,
                          size_t label_len, const unsigned char *data, const int64_t *starts,
                          const int64_t *ends, size_t n, unsigned char *out) {
    SHA256_CTX inner, outer, c;
    unsigned char pad[64], digest[32];
    size_t i;
    int b;

    for (b = 0; b < 64; b++) pad[b] = padded_key[b] ^ 0x36;
    SHA256_Init(&inner);
    SHA256_Update(&inner, pad, 64);
    if (label_len) SHA256_Update(&inner, label, label_len);
    for (b = 0; b < 64; b++) pad[b] = padded_key[b] ^ 0x5C;
    SHA256_Init(&outer);
    SHA256_Update(&outer, pad, 64);
    for (i = 0; i < n; i++) {
        c = inner;
        SHA256_Update(&c, data + starts[i], (size_t)(ends[i] - starts[i]));
        SHA256_Final(digest, &c);
        c = outer;
        SHA256_Update(&c, digest, 32);
        SHA256_Final(out + 32 * i, &c);
    }
    /* no key material left on this stack frame (through a volatile pointer: a plain memset of
     * memory never read again may be left out by the compiler) */
    wipe(pad, 0, sizeof pad);
    wipe(digest, 0, sizeof digest);
    wipe(&inner, 0, sizeof inner);
    wipe(&outer, 0, sizeof outer);
    wipe(&c, 0, sizeof c);
}
