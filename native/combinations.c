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
#define MAX_ROWS 256

/* P, 3P, 5P, ..., 15P: the odd multiples a width-5 sliding window adds. */
static void
odd_multiples(ge25519_cached t[8], const ge25519_p3 *p)
{
    ge25519_p1p1 s;
    ge25519_p3   u;
    ge25519_p3   p2;
    int          i;

    ge25519_p3_to_cached(&t[0], p);
    ge25519_p3_dbl(&s, p);
    ge25519_p1p1_to_p3(&p2, &s);
    for (i = 0; i < 7; i++) {
        ge25519_add(&s, &p2, &t[i]);
        ge25519_p1p1_to_p3(&u, &s);
        ge25519_p3_to_cached(&t[i + 1], &u);
    }
}

/* out = sum_i s_i·P_i over the k points of `tables`, with `slides` the scalars' windows. */
static void
combine(unsigned char out[32], size_t k, ge25519_cached (*tables)[8],
        signed char (*slides)[256])
{
    ge25519_p2   r;
    ge25519_p1p1 t;
    ge25519_p3   u;
    size_t       i;
    int          b;
    int          top = -1;

    for (b = 255; b >= 0 && top < 0; --b) {
        for (i = 0; i < k; i++) {
            if (slides[i][b] != 0) {
                top = b;
                break;
            }
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
        for (i = 0; i < k; i++) {
            const signed char s = slides[i][b];
            if (s > 0) {
                ge25519_p1p1_to_p3(&u, &t);
                ge25519_add(&t, &u, &tables[i][s / 2]);
            } else if (s < 0) {
                ge25519_p1p1_to_p3(&u, &t);
                ge25519_sub(&t, &u, &tables[i][(-s) / 2]);
            }
        }
        ge25519_p1p1_to_p2(&r, &t);
    }
    ge25519_p1p1_to_p3(&u, &t);
    ristretto255_p3_tobytes(out, &u);
}

/* 0, or -1: a point is not a canonical ristretto255 encoding, -2: a scalar is not < L,
   -3: out of memory. */
static int
combinations(unsigned char *out, size_t rows, size_t k, const unsigned char *scalars,
             const unsigned char *points)
{
    ge25519_cached (*tables)[8];
    signed char (*slides)[256];
    ge25519_p3     p;
    size_t         i;
    size_t         j;
    int            rc = 0;

    /* On the heap: up to 98 KB, more than some threads' stacks should carry. */
    tables = malloc(k * sizeof *tables);
    slides = malloc(k * sizeof *slides);
    if (tables == NULL || slides == NULL) {
        rc = -3;
        goto done;
    }
    for (i = 0; i < k; i++) {
        if (ristretto255_frombytes(&p, points + 32 * i) != 0) {
            rc = -1;
            goto done;
        }
        odd_multiples(tables[i], &p);
    }
    for (i = 0; i < rows * k; i++) {
        if (sc25519_is_canonical(scalars + 32 * i) == 0) {
            rc = -2;
            goto done;
        }
    }
    for (j = 0; j < rows; j++) {
        for (i = 0; i < k; i++) {
            slide_vartime(slides[i], scalars + 32 * (j * k + i));
        }
        combine(out + 32 * j, k, tables, slides);
    }
done:
    free(tables);
    free(slides);
    return rc;
}

static PyObject *
public_combinations(PyObject *self, PyObject *args)
{
    PyObject  *points;
    PyObject  *scalars;
    Py_ssize_t rows;
    PyObject  *result;
    size_t     k;
    int        rc;

    (void) self;
    /* bytes only ("S"): immutable, so nothing can change them while the GIL is released */
    if (!PyArg_ParseTuple(args, "SSn", &points, &scalars, &rows)) {
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
    result = PyBytes_FromStringAndSize(NULL, 32 * rows);
    if (result == NULL) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    rc = combinations((unsigned char *) PyBytes_AS_STRING(result), (size_t) rows, k,
                      (const unsigned char *) PyBytes_AS_STRING(scalars),
                      (const unsigned char *) PyBytes_AS_STRING(points));
    Py_END_ALLOW_THREADS
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

static PyMethodDef methods[] = {
    {"public_combinations", public_combinations, METH_VARARGS,
     "public_combinations(points, scalars, rows) -> bytes\n\n"
     "For each of `rows` rows of len(points)//32 canonical scalars (32 bytes each, "
     "little-endian), the ristretto255 encoding of sum_i s_i*P_i. Variable time: public "
     "values only. ValueError 'point_invalid' or 'scalar_invalid' on bad input."},
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
