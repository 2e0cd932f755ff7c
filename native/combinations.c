/*
 * besluit.core.ballotcrypto._combinations: linear combinations of ristretto255 points in
 * variable time, for checking proofs (public values only).
 *
 * Why this exists: a sealed ballot's check computes each of its proofs' commitments as
 * z·P − c·Q. Through libsodium's public API that is two constant-time multiplications
 * and a subtraction, each decoding and encoding its points again; libsodium's own
 * interleaved variable-time multiplication (ge25519_double_scalarmult_vartime, what its
 * signature check uses) is internal and only takes the Ed25519 base point. This module
 * compiles libsodium's ref10 group code (native/vendor/libsodium-1.0.20, unchanged, ISC
 * licence) and adds one loop: Straus' interleaving of width-5 sliding windows over
 * several points, the same steps as ge25519_double_scalarmult_vartime with a table built
 * per point.
 *
 * Variable time: the running time depends on the scalars. Use it for verification only,
 * never with a secret scalar (encryption, proving and decryption shares stay on
 * libsodium's constant-time functions). Every point is decoded and checked as libsodium's
 * crypto_core_ristretto255_is_valid_point does; every scalar must be canonical (< L).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "crypto_core/ed25519/ref10/ed25519_ref10.c"

/* The one libsodium utility ed25519_ref10.c needs (sodium/utils.c, unchanged). */
int
sodium_is_zero(const unsigned char *n, const size_t nlen)
{
    size_t                 i;
    volatile unsigned char d = 0U;

    for (i = 0U; i < nlen; i++) {
        d |= n[i];
    }
    return 1 & ((d - 1) >> 8);
}

#define MAX_POINTS 256
#define MAX_ROWS 512 /* a 64-option ballot's check is one call of 4·64 + 2 rows */
#define LIMBS 4 /* a canonical scalar (< 2^253) as four limbs of 64 bits */
#define OWN_ENTRIES 8 /* width-5 windows: P, 3P, ..., 15P */
#define OWN_DIGIT 15
#define KEPT_ENTRIES 64 /* width-8 windows for a kept point: P, 3P, ..., 127P */
#define KEPT_DIGIT 127

/*
 * How a row is computed. Each point has tables of its odd multiples, which a sliding
 * window adds (Straus: one chain of doublings for all the row's terms). A point that
 * stands in two rows or more with a long scalar is split: its tables are made also for
 * 2^64·P, 2^128·P and 2^192·P, and each 64-bit limb of a scalar multiplies its own
 * shifted point, so a row runs 65 doublings instead of 253. The 192 doublings that make
 * the shifted points are then paid once per point, not once per row. A point that comes
 * back call after call (G, an election key) is prepared once by ``prepare`` and kept by
 * the caller, split and with wider windows (64 odd multiples per limb), so its terms
 * cost fewer additions and no table is made for it again.
 */

/* What prepare() returns, per point. */
typedef struct {
    unsigned char  encoding[32];
    ge25519_cached t[LIMBS][KEPT_ENTRIES];
} kept_point;

/* A point's tables as a row uses them. */
typedef struct {
    const ge25519_cached *t[LIMBS];
    int                   limbs; /* 1 or LIMBS */
    int                   max_digit; /* OWN_DIGIT or KEPT_DIGIT */
} point_tables;

/* One term of a row: a table and the signed windows of the scalar (limb) it multiplies. */
typedef struct {
    const ge25519_cached *table;
    int                   top; /* the highest non-zero window, or -1 */
    signed char           slide[256];
} term;

/* P, 3P, 5P, ...: the `entries` odd multiples a sliding window adds. */
static void
odd_multiples(ge25519_cached *t, const ge25519_p3 *p, int entries)
{
    ge25519_p1p1 s;
    ge25519_p3   u;
    ge25519_p3   p2;
    int          i;

    ge25519_p3_to_cached(&t[0], p);
    ge25519_p3_dbl(&s, p);
    ge25519_p1p1_to_p3(&p2, &s);
    for (i = 0; i < entries - 1; i++) {
        ge25519_add(&s, &p2, &t[i]);
        ge25519_p1p1_to_p3(&u, &s);
        ge25519_p3_to_cached(&t[i + 1], &u);
    }
}

/* out = 2^64·p (out may be p). */
static void
shift_limb(ge25519_p3 *out, const ge25519_p3 *p)
{
    ge25519_p2   r;
    ge25519_p1p1 t;
    int          i;

    ge25519_p3_to_p2(&r, p);
    for (i = 0; i < 64; i++) {
        ge25519_p2_dbl(&t, &r);
        if (i < 63) {
            ge25519_p1p1_to_p2(&r, &t);
        }
    }
    ge25519_p1p1_to_p3(out, &t);
}

/* t[l * entries + e]: the e-th odd multiple of 2^(64 l)·p, for each of `limbs` limbs. */
static void
make_tables(ge25519_cached *t, const ge25519_p3 *p, int limbs, int entries)
{
    ge25519_p3 q = *p;
    int        l;

    for (l = 0; l < limbs; l++) {
        if (l > 0) {
            shift_limb(&q, &q);
        }
        odd_multiples(t + (size_t) l * entries, &q, entries);
    }
}

/* r[0..n) the signed windows (odd digits up to ±max_digit) of the `bits`-bit
   little-endian value a, by the steps of libsodium's slide_vartime (which is this for 256
   bits and max_digit 15), over n = bits + 8 places: a carry out of the top bit lands at
   index `bits`, and the places above are room to spare (the tests compare every sum with
   libsodium's, for limbs chosen to carry). Returns the highest non-zero index, or -1. */
static int
slide_bits(signed char *r, const unsigned char *a, int bits, int max_digit)
{
    const int n = bits < 248 ? bits + 8 : 256;
    const int horizon = max_digit == OWN_DIGIT ? 6 : 9; /* the window's width + 1 */
    int       i;
    int       b;
    int       k;
    int       ribs;
    int       cmp;

    for (i = 0; i < n; ++i) {
        r[i] = i < bits ? 1 & (a[i >> 3] >> (i & 7)) : 0;
    }
    for (i = 0; i < n; ++i) {
        if (! r[i]) {
            continue;
        }
        for (b = 1; b <= horizon && i + b < n; ++b) {
            if (! r[i + b]) {
                continue;
            }
            ribs = r[i + b] << b;
            cmp = r[i] + ribs;
            if (cmp <= max_digit) {
                r[i] = cmp;
                r[i + b] = 0;
            } else {
                cmp = r[i] - ribs;
                if (cmp < -max_digit) {
                    break;
                }
                r[i] = cmp;
                for (k = i + b; k < n; ++k) {
                    if (! r[k]) {
                        r[k] = 1;
                        break;
                    }
                    r[k] = 0;
                }
            }
        }
    }
    for (i = n - 1; i >= 0; --i) {
        if (r[i] != 0) {
            return i;
        }
    }
    return -1;
}

/* out = the sum of the terms (Straus: one doubling chain for all of them). */
static void
combine(unsigned char out[32], size_t nterms, const term *terms)
{
    ge25519_p2   r;
    ge25519_p1p1 t;
    ge25519_p3   u;
    size_t       i;
    int          b;
    int          top = -1;

    for (i = 0; i < nterms; i++) {
        if (terms[i].top > top) {
            top = terms[i].top;
        }
    }
    if (top < 0) { /* every scalar is zero */
        ge25519_p3_0(&u);
        ristretto255_p3_tobytes(out, &u);
        return;
    }
    ge25519_p2_0(&r);
    for (b = top; b >= 0; --b) {
        ge25519_p2_dbl(&t, &r);
        for (i = 0; i < nterms; i++) {
            const signed char s = b <= terms[i].top ? terms[i].slide[b] : 0;
            if (s > 0) {
                ge25519_p1p1_to_p3(&u, &t);
                ge25519_add(&t, &u, &terms[i].table[s / 2]);
            } else if (s < 0) {
                ge25519_p1p1_to_p3(&u, &t);
                ge25519_sub(&t, &u, &terms[i].table[(-s) / 2]);
            }
        }
        ge25519_p1p1_to_p2(&r, &t);
    }
    ge25519_p1p1_to_p3(&u, &t);
    ristretto255_p3_tobytes(out, &u);
}

static int
is_zero_bytes(const unsigned char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] != 0) {
            return 0;
        }
    }
    return 1;
}

/* 0, or -1: a point is not a canonical ristretto255 encoding, -2: a scalar is not < L,
   -3: out of memory. `kept`: `m` points made by ``prepare``, used for the points with
   the same encoding. */
static int
combinations(unsigned char *out, size_t rows, size_t k, const unsigned char *scalars,
             const unsigned char *points, const kept_point *kept, size_t m)
{
    point_tables   *use;
    ge25519_cached *own;
    term           *terms;
    ge25519_p3      p;
    size_t          i;
    size_t          j;
    size_t          g;
    size_t          nterms;
    int             l;
    int             rc = 0;

    /* On the heap: up to a few MB, more than a thread's stack should carry. */
    use = malloc(k * sizeof *use);
    own = malloc(k * LIMBS * OWN_ENTRIES * sizeof *own);
    terms = malloc(k * LIMBS * sizeof *terms);
    if (use == NULL || own == NULL || terms == NULL) {
        rc = -3;
        goto done;
    }
    for (i = 0; i < rows * k; i++) {
        if (sc25519_is_canonical(scalars + 32 * i) == 0) {
            rc = -2;
            goto done;
        }
    }
    for (i = 0; i < k; i++) {
        const unsigned char *encoding = points + 32 * i;
        size_t               long_rows = 0;

        for (g = 0; g < m; g++) {
            if (memcmp(kept[g].encoding, encoding, 32) == 0) {
                break;
            }
        }
        if (g < m) {
            for (l = 0; l < LIMBS; l++) {
                use[i].t[l] = kept[g].t[l];
            }
            use[i].limbs = LIMBS;
            use[i].max_digit = KEPT_DIGIT;
            continue;
        }
        if (ristretto255_frombytes(&p, encoding) != 0) {
            rc = -1;
            goto done;
        }
        for (j = 0; j < rows; j++) {
            long_rows += !is_zero_bytes(scalars + 32 * (j * k + i) + 8, 24);
        }
        use[i].limbs = long_rows >= 2 ? LIMBS : 1;
        use[i].max_digit = OWN_DIGIT;
        make_tables(own + i * LIMBS * OWN_ENTRIES, &p, use[i].limbs, OWN_ENTRIES);
        for (l = 0; l < use[i].limbs; l++) {
            use[i].t[l] = own + (i * LIMBS + l) * OWN_ENTRIES;
        }
    }
    for (j = 0; j < rows; j++) {
        nterms = 0;
        for (i = 0; i < k; i++) {
            const unsigned char *scalar = scalars + 32 * (j * k + i);
            if (use[i].limbs == 1) {
                terms[nterms].table = use[i].t[0];
                terms[nterms].top = slide_bits(terms[nterms].slide, scalar, 256, use[i].max_digit);
                nterms += terms[nterms].top >= 0;
                continue;
            }
            for (l = 0; l < LIMBS; l++) {
                if (is_zero_bytes(scalar + 8 * l, 8)) {
                    continue;
                }
                terms[nterms].table = use[i].t[l];
                terms[nterms].top =
                    slide_bits(terms[nterms].slide, scalar + 8 * l, 64, use[i].max_digit);
                nterms++;
            }
        }
        combine(out + 32 * j, nterms, terms);
    }
done:
    free(use);
    free(own);
    free(terms);
    return rc;
}

static PyObject *
public_combinations(PyObject *self, PyObject *args)
{
    PyObject         *points;
    PyObject         *scalars;
    PyObject         *prepared = NULL;
    Py_ssize_t        rows;
    PyObject         *result;
    const kept_point *kept = NULL;
    kept_point       *copy = NULL;
    size_t            k;
    size_t            m = 0;
    int               rc;

    (void) self;
    /* bytes only ("S"): immutable, so nothing can change them while the GIL is released */
    if (!PyArg_ParseTuple(args, "SSn|S", &points, &scalars, &rows, &prepared)) {
        return NULL;
    }
    k = (size_t) PyBytes_GET_SIZE(points) / 32;
    if (PyBytes_GET_SIZE(points) % 32 != 0 || k == 0 || k > MAX_POINTS) {
        return PyErr_Format(PyExc_ValueError, "points: 1 to %d encodings of 32 bytes",
                            MAX_POINTS);
    }
    if (rows < 1 || rows > MAX_ROWS
        || (size_t) PyBytes_GET_SIZE(scalars) != 32 * k * (size_t) rows) {
        return PyErr_Format(PyExc_ValueError, "scalars: rows (1 to %d) of 32 bytes per point",
                            MAX_ROWS);
    }
    if (prepared != NULL) {
        /* Any bytes of this length are safe to read as tables (they are only added up:
           no index is read from them); only prepare()'s give the right sums, and a point
           uses the tables whose encoding it has. */
        if (PyBytes_GET_SIZE(prepared) % sizeof(kept_point) != 0
            || (size_t) PyBytes_GET_SIZE(prepared) / sizeof(kept_point) > MAX_POINTS) {
            return PyErr_Format(PyExc_ValueError, "prepared: what prepare() returned");
        }
        m = (size_t) PyBytes_GET_SIZE(prepared) / sizeof(kept_point);
        kept = (const kept_point *) PyBytes_AS_STRING(prepared);
        if (m > 0 && ((uintptr_t) kept) % _Alignof(kept_point) != 0) {
            copy = malloc(m * sizeof *copy); /* the tables' limbs want their alignment */
            if (copy == NULL) {
                return PyErr_NoMemory();
            }
            memcpy(copy, PyBytes_AS_STRING(prepared), m * sizeof *copy);
            kept = copy;
        }
    }
    result = PyBytes_FromStringAndSize(NULL, 32 * rows);
    if (result == NULL) {
        free(copy);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = combinations((unsigned char *) PyBytes_AS_STRING(result), (size_t) rows, k,
                      (const unsigned char *) PyBytes_AS_STRING(scalars),
                      (const unsigned char *) PyBytes_AS_STRING(points), kept, m);
    Py_END_ALLOW_THREADS
    free(copy);
    if (rc == -3) {
        Py_DECREF(result);
        return PyErr_NoMemory();
    }
    if (rc != 0) {
        Py_DECREF(result);
        PyErr_SetString(PyExc_ValueError, rc == -1 ? "point_invalid" : "scalar_invalid");
        return NULL;
    }
    return result;
}

static PyObject *
prepare(PyObject *self, PyObject *args)
{
    PyObject   *points;
    PyObject   *result;
    kept_point *out;
    ge25519_p3  p;
    size_t      k;
    size_t      i;
    int         rc = 0;

    (void) self;
    if (!PyArg_ParseTuple(args, "S", &points)) {
        return NULL;
    }
    k = (size_t) PyBytes_GET_SIZE(points) / 32;
    if (PyBytes_GET_SIZE(points) % 32 != 0 || k == 0 || k > MAX_POINTS) {
        return PyErr_Format(PyExc_ValueError, "points: 1 to %d encodings of 32 bytes",
                            MAX_POINTS);
    }
    out = calloc(k, sizeof *out);
    if (out == NULL) {
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    for (i = 0; i < k && rc == 0; i++) {
        const unsigned char *encoding = (const unsigned char *) PyBytes_AS_STRING(points) + 32 * i;
        if (ristretto255_frombytes(&p, encoding) != 0) {
            rc = -1;
        } else {
            memcpy(out[i].encoding, encoding, 32);
            make_tables(&out[i].t[0][0], &p, LIMBS, KEPT_ENTRIES);
        }
    }
    Py_END_ALLOW_THREADS
    if (rc != 0) {
        free(out);
        PyErr_SetString(PyExc_ValueError, "point_invalid");
        return NULL;
    }
    result = PyBytes_FromStringAndSize((const char *) out, (Py_ssize_t) (k * sizeof *out));
    free(out);
    return result;
}

static PyMethodDef methods[] = {
    {"public_combinations", public_combinations, METH_VARARGS,
     "public_combinations(points, scalars, rows, prepared=b'') -> bytes\n\n"
     "For each of `rows` rows of len(points)//32 canonical scalars (32 bytes each, "
     "little-endian), the ristretto255 encoding of sum_i s_i*P_i. `prepared`: what "
     "prepare() returned for points that recur across calls. Variable time: public "
     "values only. ValueError 'point_invalid' or 'scalar_invalid' on bad input."},
    {"prepare", prepare, METH_VARARGS,
     "prepare(points) -> bytes\n\n"
     "The tables public_combinations uses for these points (with their 2^64, 2^128 and "
     "2^192 multiples), to pass as `prepared` where the same points recur. ValueError "
     "'point_invalid' on bad input."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_combinations",
    "Variable-time linear combinations of ristretto255 points (proof checks only).", -1,
    methods,
};

PyMODINIT_FUNC
PyInit__combinations(void)
{
    return PyModule_Create(&module);
}
