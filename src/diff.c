/*
 * diff.c — the ABI diff engine (see diff.h for what it promises).
 *
 * Two phases, so that each change is found once however many interfaces
 * reach it:
 *
 * 1. Compare. Named types (struct, union, enum, typedef with the same kind
 *    and name on both sides) and anonymous aggregates are graph *nodes*, one
 *    per (old, new) pair, compared once. Everything in between — pointers,
 *    qualifiers, arrays, function types — is walked in lockstep inside a
 *    *slot* (a function's parameter, a struct member, a typedef's target) and
 *    reported against that slot. A slot that arrives at a node adds an
 *    *edge* labelled with how it got there ("member p", "callback param 2")
 *    and whether it went through a pointer or a callback.
 *
 * 2. Attribute. From every exported function and variable a breadth-first
 *    walk over the edges gives each reachable change its impacted interfaces
 *    and the shortest path from each. Whether a type is reached by value
 *    anywhere decides whether its size change is breaking or only risky;
 *    whether a path crosses a callback marks the change as upcall surface.
 *    Changes no interface reaches are not public ABI and are dropped.
 */
#include "diff.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abi_return.h"
#include "hash.h"
#include "suppress.h"
#include "surface.h"

/* ------------------------------------------------------------------ */
/* Working state                                                        */

typedef struct edge {
    uint32_t to;          /* node index */
    char *label;          /* "member p", "param 1", "callback param 2", "target" */
    bool through_pointer;
    bool through_callback;
} edge;

typedef struct node {
    ag_type_ref o, n;
    char *name;           /* spelled, e.g. "struct ctx" */
    edge *edges;
    size_t n_edges, cap_edges;
    uint32_t *changes;    /* indices into differ.changes owned by this node */
    size_t n_changes, cap_changes;
    /* The type's definition is in the public surface (surface.h: declared
       in a public header, or inferred so). A node that is not public and is
       reached only through pointers is opaque: attribution reports nothing
       inside it. Set before compare_node runs. */
    bool public_type;
    bool anon_member;     /* an anonymous member's type: changes inside are anonymous-member-changed */
    bool subtree_changed; /* some change is reachable from here */
    bool tag_rename_reported; /* type-tag-renamed made for this (old, new) pair */
    bool opaque;          /* reached somewhere as an opaque type: its changes are left out */
} node;

typedef struct change_rec {
    ag_change c;
    bool size_refinable;  /* verdict depends on by-value reachability */
    uint32_t node;        /* the node it was found at, UINT32_MAX for slot and symbol changes */
    bool reached_by_value;
    bool reached;         /* attributed to at least one interface (type-level changes) */
    bool reached_by_root; /* attributed only as a public type no interface names */
    bool needs_impact;    /* type-level: dropped if no interface reaches it */
    bool left_out;        /* inside a type the public surface hides (opaque): listed as private */
    bool internal_export; /* about an export no public header declares: listed as private */
    size_t cap_impacts;
} change_rec;

typedef struct differ {
    const ag_corpus *o, *n;
    ag_visibility *vis_o, *vis_n; /* per type of each side: public, or why not (surface.h) */
    const ag_diff_options *opts;
    ag_error *err;
    ag_status st;
    change_rec *changes;
    size_t n_changes, cap_changes;
    node *nodes;
    size_t n_nodes, cap_nodes;
    size_t n_compared;    /* nodes [0, n_compared) are compared; the rest wait (see node_for) */
    ag_u64map node_of_pair;
    /* How to name an anonymous struct/union/enum node about to be created:
       after the typedef that names it, or as its parent's anonymous member. */
    const char *anon_hint;
    bool anon_hint_is_member;
    /* type_alignment's memo, per side (0 old, 1 new), allocated on first use */
    uint64_t *align[2];
    unsigned char *align_state[2];
    ag_type_ref *align_stack[2];
    uint32_t *align_next[2];  /* per open type: the next dependency to look at */
} differ;

/* Where a slot is, for subjects and the generic change kind. */
typedef enum slot_role {
    SLOT_RETURN,
    SLOT_PARAM,
    SLOT_MEMBER,
    SLOT_VARIABLE,
    SLOT_TYPEDEF,
    SLOT_CALLBACK, /* a parameter or the return value of a function type (a callback) */
} slot_role;

/* One function type (a callback) being compared: whatever inside its
   signature would break a call becomes one callback-signature-changed. */
typedef struct cb_ctx {
    ag_type_ref o, n;     /* the function types */
    uint32_t ci;          /* that change, once made; UINT32_MAX before */
} cb_ctx;

typedef struct slot {
    slot_role role;
    const char *subject;  /* "f()", "struct ctx::p", "global_ctx", "ctx_t" */
    const char *label;    /* edge label prefix: "param 1", "member p", "return", "target" */
    const char *where;    /* "parameter 2 'buf'", "return value", ...: starts each change's detail; or NULL */
    ag_type_ref top_o, top_n; /* the slot's whole types, spelled in details (AG_NO_TYPE: none) */
    uint32_t owner_node;  /* node owning member/typedef slots, UINT32_MAX for interfaces */
    bool flexible_member; /* the member is a flexible array (either side) */
    bool last_member;     /* the last member of a struct on both sides */
    int ptr_depth;        /* pointers walked through from the slot's type */
    unsigned carry_qo, carry_qn; /* qualifiers met on a typedef or array above, applying here (C11 6.7.3p9) */
    uint64_t carry_align_o, carry_align_n; /* alignment given on a typedef looked through (aligned(N)) */
    cb_ctx *cb;           /* inside a callback's signature, or NULL */
    const char *decl_file;
    uint32_t decl_line;
    /* interface slots collect their changes here (attributed directly) */
    uint32_t *iface_changes;
    size_t *n_iface_changes, *cap_iface_changes;
    /* interface slots collect their edges here */
    edge **iface_edges;
    size_t *n_iface_edges, *cap_iface_edges;
} slot;

static bool ok(const differ *d)
{
    return d->st == AG_OK;
}

/* Charges the budget (if any); false once it is spent (d->st says why). */
static bool spend(differ *d, uint64_t units)
{
    if (ok(d) && d->opts && d->opts->budget && ag_budget_charge(d->opts->budget, units, d->err) != AG_OK)
        d->st = AG_ERR_LIMIT;
    return ok(d);
}

static void oom(differ *d)
{
    if (ok(d))
        d->st = ag_fail(d->err, AG_ERR_NOMEM, "out of memory");
}

static char *xstrdup(differ *d, const char *s)
{
    if (!s)
        return NULL;
    char *r = strdup(s);
    if (!r)
        oom(d);
    return r;
}

static char *xprintf(differ *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *xprintf(differ *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) {
        s = NULL;
        oom(d);
    }
    va_end(ap);
    return s;
}

static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return true;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *b = realloc(*arr, ncap * elem);
    if (!b)
        return false;
    *arr = b;
    *cap = ncap;
    return true;
}

static const ag_type *ot(const differ *d, ag_type_ref r)
{
    return r < d->o->n_types ? &d->o->types[r] : NULL;
}

static const ag_type *nt(const differ *d, ag_type_ref r)
{
    return r < d->n->n_types ? &d->n->types[r] : NULL;
}

static void spell(const ag_corpus *c, ag_type_ref t, char *buf, size_t len)
{
    ag_type_spell(c, t, buf, len);
}

/* ------------------------------------------------------------------ */
/* Recording changes                                                    */

static uint32_t add_change(differ *d, ag_change_kind kind, const char *subject,
                           const char *old_value, const char *new_value,
                           const char *decl_file, uint32_t decl_line, char *detail_owned)
{
    if (!ok(d) || !grow((void **)&d->changes, &d->cap_changes, d->n_changes, sizeof *d->changes)) {
        oom(d);
        free(detail_owned);
        return UINT32_MAX;
    }
    change_rec *r = &d->changes[d->n_changes];
    memset(r, 0, sizeof *r);
    r->c.kind = kind;
    r->c.verdict = ag_change_kind_info_of(kind)->verdict;
    r->c.subject = xstrdup(d, subject);
    r->c.old_value = xstrdup(d, old_value);
    r->c.new_value = xstrdup(d, new_value);
    r->c.detail = detail_owned;
    r->c.decl_file = xstrdup(d, decl_file);
    r->c.decl_line = decl_line;
    r->c.upcall = kind == AG_CK_CALLBACK_SIGNATURE_CHANGED;
    r->node = UINT32_MAX;
    return (uint32_t)d->n_changes++;
}

static void add_impact(differ *d, change_rec *r, const char *iface, const char *path)
{
    for (size_t i = 0; i < r->c.n_impacts; i++)
        if (strcmp(r->c.impacts[i].interface, iface) == 0)
            return;
    if (!grow((void **)&r->c.impacts, &r->cap_impacts, r->c.n_impacts, sizeof *r->c.impacts)) {
        oom(d);
        return;
    }
    ag_impact *im = &r->c.impacts[r->c.n_impacts++];
    im->interface = xstrdup(d, iface);
    im->path = xstrdup(d, path);
}

/* A change found in a slot belongs to the slot's owner: a node (members,
   typedef targets) or the interface being compared. */
static void own_change(differ *d, const slot *s, uint32_t ci)
{
    if (ci == UINT32_MAX)
        return;
    if (s->owner_node != UINT32_MAX) {
        node *nd = &d->nodes[s->owner_node];
        if (!grow((void **)&nd->changes, &nd->cap_changes, nd->n_changes, sizeof *nd->changes)) {
            oom(d);
            return;
        }
        nd->changes[nd->n_changes++] = ci;
        d->changes[ci].needs_impact = true;
    } else if (s->iface_changes) {
        if (!grow((void **)s->iface_changes, s->cap_iface_changes, *s->n_iface_changes, sizeof(uint32_t))) {
            oom(d);
            return;
        }
        (*(uint32_t **)s->iface_changes)[(*s->n_iface_changes)++] = ci;
    }
}

static void set_verdict(differ *d, uint32_t ci, ag_verdict v)
{
    if (ci != UINT32_MAX && ci < d->n_changes)
        d->changes[ci].c.verdict = v;
}

/* Appends "; more" to a change's detail. */
static void append_detail(differ *d, uint32_t ci, char *more)
{
    if (!more)
        return;
    change_rec *r = &d->changes[ci];
    char *joined = r->c.detail ? xprintf(d, "%s; %s", r->c.detail, more) : more;
    if (joined != more) {
        free(more);
        if (joined) {
            free(r->c.detail);
            r->c.detail = joined;
        }
    } else {
        r->c.detail = joined;
    }
}

/* Records a change found in a slot; returns its index (UINT32_MAX on
   failure). Inside a callback's signature a change that would break a call
   becomes (part of) the callback's one callback-signature-changed. */
static uint32_t slot_change(differ *d, const slot *s, ag_change_kind kind, ag_type_ref o, ag_type_ref n, char *detail)
{
    char ob[512], nb[512];
    if (s->where) {
        char *w;
        if (detail) {
            w = xprintf(d, "%s: %s", s->where, detail);
        } else {
            spell(d->o, s->top_o != AG_NO_TYPE ? s->top_o : o, ob, sizeof ob);
            spell(d->n, s->top_n != AG_NO_TYPE ? s->top_n : n, nb, sizeof nb);
            w = xprintf(d, "%s: %s -> %s", s->where, ob, nb);
        }
        free(detail);
        detail = w;
    }
    if (s->cb && ag_change_kind_info_of(kind)->verdict == AG_VERDICT_BREAKING) {
        if (s->cb->ci != UINT32_MAX) {
            append_detail(d, s->cb->ci, detail);
            return s->cb->ci;
        }
        kind = AG_CK_CALLBACK_SIGNATURE_CHANGED;
        o = s->cb->o;
        n = s->cb->n;
    }
    spell(d->o, o, ob, sizeof ob);
    spell(d->n, n, nb, sizeof nb);
    uint32_t ci = add_change(d, kind, s->subject, ob, nb, s->decl_file, s->decl_line, detail);
    if (ci == UINT32_MAX)
        return ci;
    if (s->cb) {
        d->changes[ci].c.upcall = true;
        if (kind == AG_CK_CALLBACK_SIGNATURE_CHANGED)
            s->cb->ci = ci;
    }
    own_change(d, s, ci);
    return ci;
}

/* ------------------------------------------------------------------ */
/* Type helpers                                                          */

static bool is_qualifier(ag_type_kind k)
{
    return k == AG_T_CONST || k == AG_T_VOLATILE || k == AG_T_RESTRICT || k == AG_T_ATOMIC;
}

enum { Q_CONST = 1, Q_VOLATILE = 2, Q_RESTRICT = 4, Q_ATOMIC = 8 };

/* The chains below are followed at most n_types steps: a finalized corpus
   has no cycle without a struct or union in it, so an acyclic chain is
   never longer, and a corrupt one cannot make the loops endless. A fixed
   small bound instead would silently cut a long legitimate chain short. */
static ag_type_ref strip_qualifiers(const ag_corpus *c, ag_type_ref t, unsigned *quals)
{
    *quals = 0;
    for (size_t guard = 0; t < c->n_types && guard < c->n_types && is_qualifier(c->types[t].kind); guard++) {
        switch (c->types[t].kind) {
        case AG_T_CONST: *quals |= Q_CONST; break;
        case AG_T_VOLATILE: *quals |= Q_VOLATILE; break;
        case AG_T_RESTRICT: *quals |= Q_RESTRICT; break;
        default: *quals |= Q_ATOMIC; break;
        }
        t = c->types[t].target;
    }
    return t;
}

/* Alignment in bytes: DW_AT_alignment when the producer gave one
   (_Alignas, aligned attributes), otherwise the natural alignment of the
   x86-64/AArch64 psABIs: scalars by size (long double 16), aggregates by
   their strictest member. */

/* What t's alignment comes from: the types it holds by value whose own
   alignment it takes (none for scalars and explicitly aligned types). */
static size_t alignment_deps(const ag_type *ty, size_t i, ag_type_ref *dep)
{
    if (ty->alignment)
        return 0;
    switch (ty->kind) {
    case AG_T_TYPEDEF:
    case AG_T_CONST:
    case AG_T_VOLATILE:
    case AG_T_RESTRICT:
    case AG_T_ARRAY:
    case AG_T_ATOMIC:
        if (i == 0)
            *dep = ty->target;
        return 1;
    case AG_T_STRUCT:
    case AG_T_UNION:
        if (i < ty->n_members)
            *dep = ty->members[i].alignment ? AG_NO_TYPE : ty->members[i].type;
        return ty->n_members;
    default:
        return 0;
    }
}

/* t's alignment once its dependencies' are known (align[] holds them). */
static uint64_t alignment_from(const ag_corpus *c, ag_type_ref t, const uint64_t *align)
{
    const ag_type *ty = &c->types[t];
    if (ty->alignment)
        return ty->alignment;
    switch (ty->kind) {
    case AG_T_TYPEDEF:
    case AG_T_CONST:
    case AG_T_VOLATILE:
    case AG_T_RESTRICT:
    case AG_T_ARRAY:
        return ty->target < c->n_types ? align[ty->target] : 1;
    case AG_T_ATOMIC: {
        uint64_t size = ag_type_size(c, t);
        uint64_t inner = ty->target < c->n_types ? align[ty->target] : 1;
        return (size == 2 || size == 4 || size == 8 || size == 16) && size > inner ? size : inner;
    }
    case AG_T_POINTER:
        return ty->byte_size ? ty->byte_size : (c->elf.elf_class == 32 ? 4 : 8);
    case AG_T_BASE:
    case AG_T_ENUM: {
        uint64_t size = ty->byte_size ? ty->byte_size : 1;
        if (ty->encoding == AG_ENC_COMPLEX_FLOAT)
            size /= 2;
        return size > 16 ? 16 : (size == 0 ? 1 : size);
    }
    case AG_T_STRUCT:
    case AG_T_UNION: {
        uint64_t best = 1;
        for (size_t i = 0; i < ty->n_members; i++) {
            const ag_member *m = &ty->members[i];
            uint64_t al = m->alignment ? m->alignment : m->type < c->n_types ? align[m->type] : 1;
            if (al > best)
                best = al;
        }
        return best;
    }
    default:
        return 1;
    }
}

/* Computed once per type and corpus, depth first with an explicit stack:
   structs nest by value as deep as a corpus likes. A type that contains
   itself by value is an error, not an alignment of 1. */
static uint64_t type_alignment(differ *d, const ag_corpus *c, ag_type_ref t)
{
    int side = c == d->n;
    if (t >= c->n_types || !ok(d))
        return 1;
    if (!d->align[side]) {
        d->align[side] = calloc(c->n_types, sizeof *d->align[side]);
        d->align_state[side] = calloc(c->n_types, 1);
        d->align_stack[side] = malloc(c->n_types * sizeof *d->align_stack[side]);
        d->align_next[side] = calloc(c->n_types, sizeof *d->align_next[side]);
        if (!d->align[side] || !d->align_state[side] || !d->align_stack[side] || !d->align_next[side]) {
            oom(d);
            return 1;
        }
    }
    uint64_t *align = d->align[side];
    unsigned char *state = d->align_state[side]; /* 0 new, 1 open, 2 done */
    ag_type_ref *stack = d->align_stack[side];
    uint32_t *next = d->align_next[side];
    size_t sp = 0;
    if (state[t] != 2) {
        stack[sp++] = t;
        state[t] = 1;
    }
    while (sp > 0) {
        ag_type_ref u = stack[sp - 1];
        const ag_type *ty = &c->types[u];
        bool pushed = false;
        ag_type_ref dep = AG_NO_TYPE;
        size_t n = alignment_deps(ty, 0, &dep);
        for (size_t i = next[u]; i < n && !pushed; i++) {
            next[u] = (uint32_t)i + 1;
            dep = AG_NO_TYPE;
            alignment_deps(ty, i, &dep);
            if (dep >= c->n_types || state[dep] == 2)
                continue;
            if (state[dep] == 1) {
                d->st = ag_fail(d->err, AG_ERR_FORMAT, "%s %s contains itself by value",
                                ag_type_kind_name(c->types[dep].kind),
                                c->types[dep].name ? c->types[dep].name : "(anonymous)");
                return 1;
            }
            state[dep] = 1;
            stack[sp++] = dep; /* at most n_types entries: each type is opened once */
            pushed = true;
        }
        if (pushed)
            continue;
        align[u] = alignment_from(c, u, align);
        state[u] = 2;
        sp--;
    }
    return align[t];
}

static bool is_flexible_array(const ag_corpus *c, ag_type_ref t)
{
    t = ag_type_resolve(c, t);
    return t < c->n_types && c->types[t].kind == AG_T_ARRAY && c->types[t].n_dims &&
           c->types[t].dims[0] == AG_DIM_UNKNOWN;
}

static int pointer_depth(const ag_corpus *c, ag_type_ref *t)
{
    int depth = 0;
    for (size_t guard = 0; guard <= c->n_types; guard++) {
        *t = ag_type_resolve(c, *t);
        if (*t >= c->n_types || c->types[*t].kind != AG_T_POINTER)
            break;
        depth++;
        *t = c->types[*t].target;
    }
    return depth;
}

static bool same_spelling(const differ *d, ag_type_ref o, ag_type_ref n)
{
    char ob[512], nb[512];
    spell(d->o, o, ob, sizeof ob);
    spell(d->n, n, nb, sizeof nb);
    return strcmp(ob, nb) == 0;
}

/* Whether the pair's type is part of the public surface (surface.h): when
   one side's surface comes from its headers and the other's is inferred,
   the headers decide; otherwise either side being public is enough. */
static bool pair_is_public(const differ *d, ag_type_ref o, ag_type_ref n)
{
    bool po = o < d->o->n_types && d->vis_o[o] == AG_VIS_PUBLIC;
    bool pn = n < d->n->n_types && d->vis_n[n] == AG_VIS_PUBLIC;
    bool ro = d->o->surface.recorded, rn = d->n->surface.recorded;
    if (ro != rn)
        return rn ? pn : po;
    return po || pn;
}

/* ------------------------------------------------------------------ */
/* Nodes and edges                                                      */

static void compare_node(differ *d, uint32_t ni);

static uint32_t node_for(differ *d, ag_type_ref o, ag_type_ref n)
{
    uint64_t key = ((uint64_t)o << 32) | n;
    uint32_t idx;
    if (ag_u64map_get(&d->node_of_pair, key, &idx))
        return idx;
    if (!grow((void **)&d->nodes, &d->cap_nodes, d->n_nodes, sizeof *d->nodes) ||
        !ag_u64map_put(&d->node_of_pair, key, (uint32_t)d->n_nodes)) {
        oom(d);
        return UINT32_MAX;
    }
    idx = (uint32_t)d->n_nodes++;
    node *nd = &d->nodes[idx];
    memset(nd, 0, sizeof *nd);
    nd->o = o;
    nd->n = n;
    char buf[512];
    const ag_type *named = nt(d, n);
    bool anonymous_aggregate = named && !named->name &&
                               (named->kind == AG_T_STRUCT || named->kind == AG_T_UNION || named->kind == AG_T_ENUM);
    if (anonymous_aggregate && d->anon_hint) {
        snprintf(buf, sizeof buf, "%s", d->anon_hint);
        nd->anon_member = d->anon_hint_is_member;
    } else {
        spell(d->n, n, buf, sizeof buf);
    }
    nd->name = xstrdup(d, buf);
    nd->public_type = pair_is_public(d, o, n);
    /* Compared later, by compare_pending_nodes: comparing it here, from
       inside the slot that reached it, made every typedef or member on the
       way a level of recursion (a chain of 4,000 typedefs overflowed a
       small stack). */
    return idx;
}

/* Compares every node created so far, and those they create in turn. */
static void compare_pending_nodes(differ *d)
{
    while (d->n_compared < d->n_nodes && ok(d))
        compare_node(d, (uint32_t)d->n_compared++);
}

static void add_edge(differ *d, const slot *s, uint32_t to, bool through_pointer, bool through_callback, const char *extra)
{
    if (to == UINT32_MAX || !ok(d))
        return;
    edge e = { .to = to, .through_pointer = through_pointer, .through_callback = through_callback };
    e.label = extra ? xprintf(d, "%s %s", s->label, extra) : xstrdup(d, s->label);
    if (s->owner_node != UINT32_MAX) {
        node *nd = &d->nodes[s->owner_node];
        if (!grow((void **)&nd->edges, &nd->cap_edges, nd->n_edges, sizeof *nd->edges)) {
            free(e.label);
            oom(d);
            return;
        }
        nd->edges[nd->n_edges++] = e;
    } else if (s->iface_edges) {
        if (!grow((void **)s->iface_edges, s->cap_iface_edges, *s->n_iface_edges, sizeof(edge))) {
            free(e.label);
            oom(d);
            return;
        }
        (*s->iface_edges)[(*s->n_iface_edges)++] = e;
    } else {
        free(e.label);
    }
}

/* ------------------------------------------------------------------ */
/* Slots: lockstep walk of two type expressions                         */

static ag_change_kind generic_kind(const slot *s)
{
    switch (s->role) {
    case SLOT_RETURN: return AG_CK_FN_RETURN_TYPE_CHANGED;
    case SLOT_PARAM: return AG_CK_FN_PARAM_TYPE_CHANGED;
    case SLOT_MEMBER: return s->flexible_member ? AG_CK_FLEXIBLE_ARRAY_CHANGED : AG_CK_MEMBER_TYPE_CHANGED;
    case SLOT_VARIABLE: return AG_CK_VAR_TYPE_CHANGED;
    case SLOT_TYPEDEF: return AG_CK_TYPEDEF_TARGET_CHANGED;
    case SLOT_CALLBACK: return AG_CK_CALLBACK_SIGNATURE_CHANGED;
    default: return AG_CK_TYPE_KIND_CHANGED;
    }
}

static void compare_slot(differ *d, const slot *s, ag_type_ref o, ag_type_ref n,
                         bool through_pointer, bool through_callback);
static uint32_t node_change(differ *d, uint32_t ni, ag_change_kind kind, const char *subject,
                            const char *ov, const char *nv, char *detail);

static bool dims_equal(const ag_type *a, const ag_type *b)
{
    if (a->n_dims != b->n_dims)
        return false;
    for (size_t i = 0; i < a->n_dims; i++)
        if (a->dims[i] != b->dims[i])
            return false;
    return true;
}

/* One pending walk inside a slot: a callback's return or parameter type,
   to be compared after the current expression (see compare_slot). */
typedef struct slot_work {
    slot s;
    char label[48];      /* "callback param N" (s.label points here once popped) */
    char where[512];     /* "callback parameter N" (s.where points here once popped) */
    bool own_label;
    ag_type_ref o, n;
    bool through_pointer, through_callback;
} slot_work;

typedef struct slot_walk {
    slot_work *stack;
    size_t n, cap;
    ag_u64map seen[2];   /* nested callback (old, new) pairs already walked, by through_pointer */
    bool seen_ready;
    size_t steps, max_steps;
    ag_type_ref next_o, next_n; /* where walk_expression's loop goes next */
    cb_ctx cb;           /* the callback met on the way (a walk meets at most one outside another) */
} slot_walk;

static void push_work(differ *d, slot_walk *w, const slot *s, const char *label, size_t param,
                      ag_type_ref o, ag_type_ref n, bool through_pointer, cb_ctx *cb)
{
    /* A callback inside a callback's signature: the same pair of types gives
       the same changes (merged into the outer callback's) and edges, so
       walking it once is enough. Without this, function types whose
       parameters are function types would be walked once per path through
       them, exponentially often. The outermost callback's own parameters
       are each walked, so that each is named in what it reports. */
    if (s->role == SLOT_CALLBACK) {
        if (!w->seen_ready) {
            if (!ag_u64map_init(&w->seen[0], 64) || !ag_u64map_init(&w->seen[1], 64)) {
                ag_u64map_free(&w->seen[0]);
                oom(d);
                return;
            }
            w->seen_ready = true;
        }
        uint64_t key = ((uint64_t)o << 32) | n;
        uint32_t unused;
        if (ag_u64map_get(&w->seen[through_pointer], key, &unused))
            return;
        if (!ag_u64map_put(&w->seen[through_pointer], key, 1)) {
            oom(d);
            return;
        }
    }
    if (!grow((void **)&w->stack, &w->cap, w->n, sizeof *w->stack)) {
        oom(d);
        return;
    }
    slot_work *item = &w->stack[w->n++];
    item->s = *s;
    item->s.role = SLOT_CALLBACK;
    item->s.cb = cb;
    item->s.ptr_depth = 0;
    item->s.carry_qo = item->s.carry_qn = 0;
    item->s.carry_align_o = item->s.carry_align_n = 0;
    item->s.top_o = o;
    item->s.top_n = n;
    item->own_label = label == NULL;
    item->s.label = label;
    if (!label)
        snprintf(item->label, sizeof item->label, "callback param %zu", param);
    if (param)
        snprintf(item->where, sizeof item->where, "%s%scallback parameter %zu", s->where ? s->where : "",
                 s->where ? ", " : "", param);
    else
        snprintf(item->where, sizeof item->where, "%s%scallback return value", s->where ? s->where : "",
                 s->where ? ", " : "");
    item->o = o;
    item->n = n;
    item->through_pointer = through_pointer;
    item->through_callback = true;
}

/* A callback's parameters and return value are compared like a function's,
   as slots of their own (SLOT_CALLBACK): what would break a call is one
   callback-signature-changed; what only changes the C spelling (const
   moved, void * and T *) is reported as itself, never as breaking. Named
   types inside the signature are followed as upcall surface. */
static void compare_function_types(differ *d, slot_walk *w, const slot *s, ag_type_ref o, ag_type_ref n,
                                   bool through_pointer)
{
    const ag_type *a = ot(d, o), *b = nt(d, n);
    cb_ctx *cb = s->cb; /* a callback's callback is part of its signature */
    if (!cb) {
        w->cb = (cb_ctx){ o, n, UINT32_MAX };
        cb = &w->cb;
    }
    if (a->n_params != b->n_params || a->variadic != b->variadic) {
        slot inner = *s;
        inner.role = SLOT_CALLBACK;
        inner.cb = cb;
        slot_change(d, &inner, AG_CK_CALLBACK_SIGNATURE_CHANGED, o, n,
                    xprintf(d, "callback signature changed (%zu -> %zu parameters%s)", a->n_params, b->n_params,
                            a->variadic != b->variadic ? ", variadic changed" : ""));
    }
    /* Pushed last-first, so the return type is walked first, then
       parameter 1, 2... */
    size_t common = a->n_params < b->n_params ? a->n_params : b->n_params;
    for (size_t i = common; i-- > 0 && ok(d);)
        push_work(d, w, s, NULL, i + 1, a->params[i].type, b->params[i].type, through_pointer, cb);
    if (ok(d))
        push_work(d, w, s, "callback return", 0, a->target, b->target, through_pointer, cb);
}

static bool is_aggregate(ag_type_kind k)
{
    return k == AG_T_STRUCT || k == AG_T_UNION;
}

static bool same_layout(differ *d, ag_type_ref o, ag_type_ref n, ag_type_ref root_o, ag_type_ref root_n,
                        int depth);

/* Two member types that lay out alike: spelled the same, pointers to the
   types being compared (a renamed struct's `next`), or anonymous
   aggregates of the same layout. */
static bool same_member_type(differ *d, ag_type_ref mo, ag_type_ref mn, ag_type_ref root_o, ag_type_ref root_n,
                             int depth)
{
    if (same_spelling(d, mo, mn))
        return true;
    if (depth > 8)
        return false;
    mo = ag_type_resolve(d->o, mo);
    mn = ag_type_resolve(d->n, mn);
    const ag_type *a = ot(d, mo), *b = nt(d, mn);
    if (!a || !b || a->kind != b->kind)
        return false;
    if (mo == root_o && mn == root_n)
        return true;
    if (a->kind == AG_T_POINTER)
        return same_member_type(d, a->target, b->target, root_o, root_n, depth + 1);
    if (a->kind == AG_T_ARRAY)
        return dims_equal(a, b) && same_member_type(d, a->target, b->target, root_o, root_n, depth + 1);
    if ((is_aggregate(a->kind) || a->kind == AG_T_ENUM) && !a->name && !b->name)
        return same_layout(d, mo, mn, root_o, root_n, depth + 1);
    return false;
}

/* The same layout under another name (a tag renamed, an anonymous type
   that gained a tag): kind, size, alignment, members (names, offsets,
   widths, types) or enumerators all equal. */
static bool same_layout(differ *d, ag_type_ref o, ag_type_ref n, ag_type_ref root_o, ag_type_ref root_n,
                        int depth)
{
    const ag_type *a = ot(d, o), *b = nt(d, n);
    if (!a || !b || a->kind != b->kind || a->byte_size != b->byte_size ||
        a->declaration_only != b->declaration_only || depth > 8)
        return false;
    if (a->declaration_only)
        return true;
    if (a->kind == AG_T_ENUM) {
        if (a->n_enumerators != b->n_enumerators)
            return false;
        for (size_t i = 0; i < a->n_enumerators; i++)
            if (strcmp(a->enumerators[i].name ? a->enumerators[i].name : "",
                       b->enumerators[i].name ? b->enumerators[i].name : "") != 0 ||
                a->enumerators[i].value != b->enumerators[i].value)
                return false;
        return true;
    }
    if (!is_aggregate(a->kind) || a->n_members != b->n_members ||
        type_alignment(d, d->o, o) != type_alignment(d, d->n, n))
        return false;
    for (size_t i = 0; i < a->n_members; i++) {
        const ag_member *ma = &a->members[i], *mb = &b->members[i];
        if (strcmp(ma->name ? ma->name : "", mb->name ? mb->name : "") != 0 || ma->bit_offset != mb->bit_offset ||
            ma->bit_size != mb->bit_size || !same_member_type(d, ma->type, mb->type, root_o, root_n, depth))
            return false;
    }
    return true;
}

static void compare_named_slot(differ *d, const slot *s, ag_type_ref o, ag_type_ref n,
                               bool through_pointer, bool through_callback)
{
    const ag_type *a = ot(d, o), *b = nt(d, n);
    bool same_name = a->name && b->name ? strcmp(a->name, b->name) == 0 : !a->name && !b->name;
    if (!same_name) {
        if (!same_layout(d, o, n, o, n, 0)) {
            slot_change(d, s, generic_kind(s), o, n, NULL);
            return;
        }
        /* Same layout, another name: behind a typedef nobody names the tag
           (typedef-target-renamed); used directly, code naming the old tag
           no longer compiles, unless there was none: one type-tag-renamed
           at the type, however many slots use it. The pair is compared as
           one type, for what its members reach. */
        if (s->role == SLOT_TYPEDEF) {
            slot_change(d, s, AG_CK_TYPEDEF_TARGET_RENAMED, o, n, NULL);
        } else {
            uint32_t ni = node_for(d, o, n);
            if (ni != UINT32_MAX && !d->nodes[ni].tag_rename_reported) {
                d->nodes[ni].tag_rename_reported = true;
                char ob[512], nb[512];
                spell(d->o, o, ob, sizeof ob);
                spell(d->n, n, nb, sizeof nb);
                uint32_t ci = node_change(d, ni, AG_CK_TYPE_TAG_RENAMED, NULL, ob, nb,
                                          xprintf(d, "%s -> %s, same layout", ob, nb));
                if (!a->name)
                    set_verdict(d, ci, AG_VERDICT_HARMLESS);
            }
            add_edge(d, s, ni, through_pointer, through_callback, NULL);
            return;
        }
    }
    add_edge(d, s, node_for(d, o, n), through_pointer, through_callback, NULL);
}

/* The verdict of const added to or removed from what a pointer points to,
   from the point of view of code written for the old headers: a const
   parameter accepts what a non-const one did (added: harmless, removed:
   api-break), a returned pointer the reverse; a member or variable is both
   read and written (api-break either way); two pointer levels down, or
   inside a callback's signature, the types are no longer compatible in C
   (api-break either way). */
static ag_verdict pointee_const_verdict(const slot *s, bool added)
{
    if (s->cb || s->ptr_depth > 1)
        return AG_VERDICT_API_BREAK;
    switch (s->role) {
    case SLOT_PARAM: return added ? AG_VERDICT_HARMLESS : AG_VERDICT_API_BREAK;
    case SLOT_RETURN: return added ? AG_VERDICT_API_BREAK : AG_VERDICT_HARMLESS;
    case SLOT_MEMBER:
    case SLOT_VARIABLE: return AG_VERDICT_API_BREAK;
    default:
        return ag_change_kind_info_of(added ? AG_CK_POINTEE_CONST_ADDED : AG_CK_POINTEE_CONST_REMOVED)->verdict;
    }
}

/* The type behind typedefs and qualifiers, collecting the qualifiers. */
static ag_type_ref unqualified(const ag_corpus *c, ag_type_ref t, unsigned *quals)
{
    *quals = 0;
    for (int guard = 0; t < c->n_types && guard < 32; guard++) {
        unsigned q;
        t = strip_qualifiers(c, t, &q);
        *quals |= q;
        if (t >= c->n_types || c->types[t].kind != AG_T_TYPEDEF)
            break;
        t = c->types[t].target;
    }
    return t;
}

/* Whether const goes away somewhere further down two pointer chains (const
   moved between levels: `const char **` -> `char *const *`). */
static bool const_removed_below(const differ *d, ag_type_ref o, ag_type_ref n)
{
    unsigned qo, qn;
    o = unqualified(d->o, o, &qo);
    n = unqualified(d->n, n, &qn);
    for (int guard = 0; guard < 16; guard++) {
        const ag_type *a = ot(d, o), *b = nt(d, n);
        if (!a || !b || a->kind != AG_T_POINTER || b->kind != AG_T_POINTER)
            return false;
        o = unqualified(d->o, a->target, &qo);
        n = unqualified(d->n, b->target, &qn);
        if ((qo & Q_CONST) && !(qn & Q_CONST))
            return true;
    }
    return false;
}

static void compare_qualifiers(differ *d, const slot *s, unsigned qo, unsigned qn,
                               ag_type_ref o, ag_type_ref n, bool through_pointer)
{
    if (qo == qn)
        return;
    if (through_pointer) {
        if ((qo & Q_CONST) != (qn & Q_CONST)) {
            bool added = qn & Q_CONST;
            uint32_t ci = slot_change(d, s, added ? AG_CK_POINTEE_CONST_ADDED : AG_CK_POINTEE_CONST_REMOVED, o, n, NULL);
            ag_verdict v = pointee_const_verdict(s, added);
            if (added && v < AG_VERDICT_API_BREAK && const_removed_below(d, o, n))
                v = AG_VERDICT_API_BREAK; /* moved, not added: the old type no longer converts */
            set_verdict(d, ci, v);
        }
        if ((qo & Q_ATOMIC) != (qn & Q_ATOMIC))
            slot_change(d, s, generic_kind(s), o, n, NULL);
        return;
    }
    if (s->role != SLOT_MEMBER && s->role != SLOT_VARIABLE && s->role != SLOT_TYPEDEF)
        return; /* top-level qualifiers of parameters and return values are not ABI */
    if ((qo & Q_ATOMIC) != (qn & Q_ATOMIC))
        slot_change(d, s, AG_CK_MEMBER_ATOMIC_CHANGED, o, n, NULL);
    if ((qo & (Q_CONST | Q_VOLATILE)) != (qn & (Q_CONST | Q_VOLATILE)))
        slot_change(d, s, AG_CK_MEMBER_QUALIFIER_CHANGED, o, n, NULL);
}

/* A base type's name in one spelling per C type: "long int" and "long",
   "unsigned" and "unsigned int", "short unsigned int" and "unsigned short"
   are the same type (C11 6.7.2p2). Plain char keeps its own name: it is a
   type of its own, distinct from signed and unsigned char. */
static void canonical_base_name(const char *name, char *out, size_t len)
{
    int n_long = 0;
    bool is_unsigned = false, is_signed = false, is_short = false, is_char = false, is_int = false, other = false;
    char rest[256] = "";
    const char *p = name ? name : "";
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (!w)
            break;
        if (w == 4 && strncmp(p, "long", 4) == 0)
            n_long++;
        else if (w == 8 && strncmp(p, "unsigned", 8) == 0)
            is_unsigned = true;
        else if (w == 6 && strncmp(p, "signed", 6) == 0)
            is_signed = true;
        else if (w == 5 && strncmp(p, "short", 5) == 0)
            is_short = true;
        else if (w == 4 && strncmp(p, "char", 4) == 0)
            is_char = true;
        else if (w == 3 && strncmp(p, "int", 3) == 0)
            is_int = true;
        else {
            other = true;
            size_t used = strlen(rest);
            snprintf(rest + used, sizeof rest - used, "%s%.*s", used ? " " : "", (int)w, p);
        }
        p += w;
    }
    if (other) { /* double, long double, _Complex, __int128, ...: as written, longs first */
        snprintf(out, len, "%s%s%s%s", is_unsigned ? "unsigned " : "", n_long >= 1 ? "long " : "",
                 n_long >= 2 ? "long " : "", rest);
        return;
    }
    const char *base = is_char ? "char" : is_short ? "short" : n_long >= 2 ? "long long" : n_long ? "long" : "int";
    const char *sign = is_unsigned ? "unsigned " : is_char && is_signed ? "signed " : "";
    (void)is_int;
    snprintf(out, len, "%s%s", sign, base);
}

static bool is_integer_encoding(ag_encoding e)
{
    return e == AG_ENC_SIGNED || e == AG_ENC_SIGNED_CHAR || e == AG_ENC_UNSIGNED || e == AG_ENC_UNSIGNED_CHAR;
}

static bool is_signed_encoding(ag_encoding e)
{
    return e == AG_ENC_SIGNED || e == AG_ENC_SIGNED_CHAR;
}

/* Whether an enum's values are signed: its underlying type when DWARF
   names one, else any negative enumerator (the compiler then picks a
   signed type, C11 6.7.2.2p4). */
static bool enum_is_signed(const ag_corpus *c, const ag_type *e)
{
    ag_type_ref u = ag_type_resolve(c, e->target);
    if (u < c->n_types && c->types[u].kind == AG_T_BASE)
        return is_signed_encoding(c->types[u].encoding);
    for (size_t i = 0; i < e->n_enumerators; i++)
        if (!e->enumerators[i].value_unsigned && e->enumerators[i].value < 0)
            return true;
    return false;
}

/* An enum and an integer type passed the same way: same size, same
   signedness (the ABI passes an enum as its underlying integer type). */
static bool enum_matches_integer(const ag_corpus *ec, const ag_type *e, const ag_type *i)
{
    return !e->declaration_only && e->byte_size && e->byte_size == i->byte_size && is_integer_encoding(i->encoding) &&
           enum_is_signed(ec, e) == is_signed_encoding(i->encoding);
}

/* Another type with the same machine code (void * and T *, an enum and its
   integer, int and long where both are 4 bytes). By value C converts one
   into the other implicitly, so existing code still compiles: harmless.
   Through a pointer, or in a callback's signature, the pointer or function
   types are no longer compatible: api-break. */
static void same_abi_change(differ *d, const slot *s, ag_type_ref o0, ag_type_ref n0, bool by_value, char *detail)
{
    uint32_t ci = slot_change(d, s, AG_CK_TYPE_CHANGED_SAME_ABI, o0, n0, detail);
    set_verdict(d, ci, by_value && !s->cb ? AG_VERDICT_HARMLESS : AG_VERDICT_API_BREAK);
}

/* void * <-> T *: any object pointer converts to and from void * without a
   cast, so only some uses stop compiling: passing T * where void * is now
   taken still works (harmless); a void * parameter that became T *, a
   return value or member that code dereferences, or two levels down
   (void ** is not generic), do not (api-break). */
static void void_pointer_change(differ *d, const slot *s, ag_type_ref o0, ag_type_ref n0, bool to_void)
{
    uint32_t ci = slot_change(d, s, AG_CK_TYPE_CHANGED_SAME_ABI, o0, n0, NULL);
    bool harmless = to_void && s->role == SLOT_PARAM && !s->cb && s->ptr_depth == 1;
    set_verdict(d, ci, harmless ? AG_VERDICT_HARMLESS : AG_VERDICT_API_BREAK);
}

/* A function that returned void now returns a T: old callers ignore the
   result, which is harmless when T comes back in registers (a call
   clobbers them anyway) and breaking when the caller must provide memory
   for it or pop it off the x87 stack (abi_return.h). */
static void return_value_added(differ *d, const slot *s, ag_type_ref o0, ag_type_ref n0, ag_type_ref n)
{
    char how[512], ts[512];
    spell(d->n, n0, ts, sizeof ts);
    ag_return_class rc = ag_return_class_of(d->n, n, how, sizeof how);
    if (rc == AG_RET_REGISTERS || rc == AG_RET_NOTHING)
        slot_change(d, s, AG_CK_FN_RETURN_VALUE_ADDED, o0, n0,
                    xprintf(d, "void -> %s, %s: old callers never read it", ts, how));
    else
        slot_change(d, s, AG_CK_FN_RETURN_TYPE_CHANGED, o0, n0, xprintf(d, "void -> %s, %s", ts, how));
}

/* A struct or union whose one member, at offset 0, is of type `inner`
   (spelled alike on the other side), with inner's size and alignment: the
   same bytes as inner itself (`unsigned char st[512]` -> `struct { unsigned
   char opaque[512]; }`). Alignments include any aligned(N) on the typedefs
   the slot looked through. */
static bool wraps_alone(differ *d, const ag_corpus *wc, ag_type_ref w, uint64_t w_align, const ag_corpus *ic,
                        ag_type_ref inner, uint64_t i_align)
{
    const ag_type *wt = w < wc->n_types ? &wc->types[w] : NULL;
    if (!wt || !is_aggregate(wt->kind) || wt->declaration_only || wt->n_members != 1 ||
        wt->members[0].bit_offset != 0 || wt->members[0].bit_size ||
        wt->byte_size != ag_type_size(ic, inner))
        return false;
    uint64_t wa = type_alignment(d, wc, w), ia = type_alignment(d, ic, inner);
    if (w_align > wa)
        wa = w_align;
    if (i_align > ia)
        ia = i_align;
    if (wa != ia)
        return false;
    char ws[512], is[512];
    spell(wc, wt->members[0].type, ws, sizeof ws);
    spell(ic, inner, is, sizeof is);
    return strcmp(ws, is) == 0;
}

/* When the two types are of different kinds: the most specific change. */
static void compare_kinds(differ *d, const slot *s, ag_type_ref o0, ag_type_ref n0, ag_type_ref o, ag_type_ref n,
                          bool through_pointer)
{
    const ag_type *a = ot(d, o), *b = nt(d, n);
    ag_type_ref po = o, pn = n;
    int do_ = pointer_depth(d->o, &po), dn = pointer_depth(d->n, &pn);
    if (s->role == SLOT_RETURN && !s->cb && !through_pointer && a->kind == AG_T_VOID) {
        return_value_added(d, s, o0, n0, n);
    } else if (through_pointer && (a->kind == AG_T_VOID) != (b->kind == AG_T_VOID) &&
               ot(d, ag_type_resolve(d->o, po))->kind != AG_T_FUNC && nt(d, ag_type_resolve(d->n, pn))->kind != AG_T_FUNC) {
        void_pointer_change(d, s, o0, n0, b->kind == AG_T_VOID);
    } else if (do_ != dn && same_spelling(d, po, pn)) {
        slot_change(d, s, AG_CK_POINTER_LEVEL_CHANGED, o0, n0, xprintf(d, "pointer depth %d -> %d", do_, dn));
    } else if (a->kind == AG_T_ENUM && b->kind == AG_T_BASE && enum_matches_integer(d->o, a, b)) {
        same_abi_change(d, s, o0, n0, !through_pointer, NULL);
    } else if (b->kind == AG_T_ENUM && a->kind == AG_T_BASE && enum_matches_integer(d->n, b, a)) {
        same_abi_change(d, s, o0, n0, !through_pointer, NULL);
    } else if ((through_pointer || a->kind == AG_T_ARRAY || b->kind == AG_T_ARRAY) &&
               (wraps_alone(d, d->n, n, s->carry_align_n, d->o, o, s->carry_align_o) ||
                wraps_alone(d, d->o, o, s->carry_align_o, d->n, n, s->carry_align_n))) {
        /* The same bytes under another type, pointed to or laid out (an
           array is never passed by value: C passes its address): the same
           machine code; pointers to the two types do not convert in C. */
        char ob[512], nb[512];
        spell(d->o, o, ob, sizeof ob);
        spell(d->n, n, nb, sizeof nb);
        bool wrapped = is_aggregate(b->kind) && wraps_alone(d, d->n, n, s->carry_align_n, d->o, o, s->carry_align_o);
        same_abi_change(d, s, o0, n0, false,
                        wrapped ? xprintf(d, "%s -> %s, whose only member is %s: the same bytes, size and alignment",
                                          ob, nb, ob)
                                : xprintf(d, "%s -> %s, the only member of %s: the same bytes, size and alignment", ob,
                                          nb, ob));
    } else if (is_aggregate(a->kind) && is_aggregate(b->kind) &&
               ((!a->name && !b->name) || (a->name && b->name && strcmp(a->name, b->name) == 0))) {
        slot_change(d, s, AG_CK_STRUCT_UNION_CHANGED, o0, n0, NULL);
    } else if (s->role == SLOT_MEMBER && (is_flexible_array(d->o, o) || is_flexible_array(d->n, n))) {
        slot_change(d, s, AG_CK_FLEXIBLE_ARRAY_CHANGED, o0, n0, NULL);
    } else if (s->role == SLOT_TYPEDEF) {
        /* The typedef now names a different kind of type (struct -> enum). */
        slot_change(d, s, AG_CK_TYPE_KIND_CHANGED, o0, n0,
                    xprintf(d, "%s -> %s", ag_type_kind_name(a->kind), ag_type_kind_name(b->kind)));
    } else {
        slot_change(d, s, generic_kind(s), o0, n0, NULL);
    }
}

/* Walks one type expression of the slot in lockstep on both sides, as far
   as the next node (a named type or an anonymous aggregate). Typedefs,
   pointers and arrays are followed in a loop, callbacks' return and
   parameter types through w's stack: nothing here recurses, so however deep
   a chain is (a corpus may have thousands of typedefs in a row), the walk
   goes to its end. Qualifiers met on a typedef or an array type are carried
   down to what they qualify (C11 6.7.3p9: `const` on char[4] is const
   char[4]). Returns false when it must stop (an error is set). */
static bool walk_expression(differ *d, slot_walk *w, const slot *s0, ag_type_ref o, ag_type_ref n,
                            bool through_pointer, bool through_callback)
{
    slot cur = *s0;
    const slot *s = &cur;
    for (;; o = w->next_o, n = w->next_n) {
        if (!ok(d))
            return false;
        /* In a finalized corpus these chains cannot loop (ag_corpus_finalize
           refuses a cycle that passes through no struct or union); a corpus
           that somehow has one gets an error, never an endless walk. */
        if (++w->steps > w->max_steps) {
            d->st = ag_fail(d->err, AG_ERR_FORMAT,
                            "%s: the types compared form a cycle through no struct or union", s->subject);
            return false;
        }
        ag_type_ref o0 = o, n0 = n;
        unsigned qo, qn;
        o = strip_qualifiers(d->o, o, &qo);
        n = strip_qualifiers(d->n, n, &qn);
        qo |= cur.carry_qo;
        qn |= cur.carry_qn;
        cur.carry_qo = cur.carry_qn = 0;
        const ag_type *a = ot(d, o), *b = nt(d, n);
        if (!a || !b)
            return true;
        /* Typedefs: the same name is a node; anything else is looked
           through, taking its qualifiers along. */
        if (a->kind == AG_T_TYPEDEF && b->kind == AG_T_TYPEDEF && a->name && b->name &&
            strcmp(a->name, b->name) == 0) {
            compare_qualifiers(d, s, qo, qn, o0, n0, through_pointer);
            add_edge(d, s, node_for(d, o, n), through_pointer, through_callback, NULL);
            return true;
        }
        if (a->kind == AG_T_TYPEDEF || b->kind == AG_T_TYPEDEF) {
            cur.carry_qo = qo;
            cur.carry_qn = qn;
            if (a->kind == AG_T_TYPEDEF && a->alignment > cur.carry_align_o)
                cur.carry_align_o = a->alignment;
            if (b->kind == AG_T_TYPEDEF && b->alignment > cur.carry_align_n)
                cur.carry_align_n = b->alignment;
            w->next_o = a->kind == AG_T_TYPEDEF ? a->target : o;
            w->next_n = b->kind == AG_T_TYPEDEF ? b->target : n;
            continue;
        }
        if (a->kind == AG_T_ARRAY && b->kind == AG_T_ARRAY) {
            bool flexible = is_flexible_array(d->o, o) || is_flexible_array(d->n, n);
            if (s->role == SLOT_MEMBER && s->last_member && a->n_dims == 1 && b->n_dims == 1 && a->dims[0] == 1 &&
                (b->dims[0] == AG_DIM_UNKNOWN || b->dims[0] == 0) && same_spelling(d, a->target, b->target)) {
                /* T x[1] at the end -> T x[] (or GNU T x[0]): the pre-C99
                   spelling of the same flexible array: same element, offset
                   and allocations. */
                uint32_t ci = slot_change(d, s, AG_CK_FLEXIBLE_ARRAY_CHANGED, o0, n0,
                                          xprintf(d, "a one-element array became a flexible array member: the "
                                                     "element and its offset are unchanged"));
                set_verdict(d, ci, AG_VERDICT_HARMLESS);
                return true;
            }
            if (!dims_equal(a, b))
                slot_change(d, s, flexible ? AG_CK_FLEXIBLE_ARRAY_CHANGED : AG_CK_ARRAY_DIMENSION_CHANGED, o0, n0,
                            NULL);
            if (flexible && !same_spelling(d, a->target, b->target)) {
                /* The trailing flexible array's element changed: one change, at the member. */
                slot_change(d, s, AG_CK_FLEXIBLE_ARRAY_CHANGED, o0, n0, NULL);
                return true;
            }
            cur.carry_qo = qo;
            cur.carry_qn = qn;
            w->next_o = a->target;
            w->next_n = b->target;
            continue;
        }
        compare_qualifiers(d, s, qo, qn, o0, n0, through_pointer);
        if (a->kind != b->kind) {
            compare_kinds(d, s, o0, n0, o, n, through_pointer);
            return true;
        }
        switch (a->kind) {
        case AG_T_VOID:
        case AG_T_UNKNOWN:
            return true;
        case AG_T_BASE: {
            char ca[128], cb[128];
            canonical_base_name(a->name, ca, sizeof ca);
            canonical_base_name(b->name, cb, sizeof cb);
            bool same_abi = a->byte_size == b->byte_size && a->encoding == b->encoding;
            if (same_abi && strcmp(ca, cb) == 0)
                return true;
            char *detail = xprintf(d, "%s (%llu bytes, %s) -> %s (%llu bytes, %s)", a->name ? a->name : "?",
                                   (unsigned long long)a->byte_size, ag_encoding_name(a->encoding),
                                   b->name ? b->name : "?", (unsigned long long)b->byte_size,
                                   ag_encoding_name(b->encoding));
            if (same_abi)
                same_abi_change(d, s, o0, n0, !through_pointer, detail);
            else
                slot_change(d, s, AG_CK_BASE_TYPE_CHANGED, o0, n0, detail);
            return true;
        }
        case AG_T_POINTER: {
            ag_type_ref po = a->target, pn = b->target;
            int do_ = pointer_depth(d->o, &po), dn = pointer_depth(d->n, &pn);
            if (do_ != dn && same_spelling(d, po, pn)) {
                slot_change(d, s, AG_CK_POINTER_LEVEL_CHANGED, o0, n0,
                            xprintf(d, "pointer depth %d -> %d", do_ + 1, dn + 1));
                return true;
            }
            cur.ptr_depth++;
            cur.carry_align_o = cur.carry_align_n = 0;
            w->next_o = a->target;
            w->next_n = b->target;
            through_pointer = true;
            continue;
        }
        case AG_T_FUNC:
            compare_function_types(d, w, s, o, n, through_pointer);
            return ok(d);
        case AG_T_STRUCT:
        case AG_T_UNION:
        case AG_T_ENUM:
            compare_named_slot(d, s, o, n, through_pointer, through_callback);
            return true;
        default:
            return true;
        }
    }
}

static void compare_slot(differ *d, const slot *s, ag_type_ref o, ag_type_ref n,
                         bool through_pointer, bool through_callback)
{
    /* Every step follows a reference on at least one side, so an acyclic
       walk takes fewer steps than both corpora have types. */
    slot_walk w = { .max_steps = d->o->n_types + d->n->n_types + 2 };
    bool go = walk_expression(d, &w, s, o, n, through_pointer, through_callback);
    while (go && w.n > 0) {
        slot_work item = w.stack[--w.n];
        if (item.own_label)
            item.s.label = item.label;
        w.steps = 0;
        go = walk_expression(d, &w, &item.s, item.o, item.n, item.through_pointer, item.through_callback);
    }
    free(w.stack);
    if (w.seen_ready) {
        ag_u64map_free(&w.seen[0]);
        ag_u64map_free(&w.seen[1]);
    }
}



/* ------------------------------------------------------------------ */
/* Nodes: named types and anonymous aggregates                          */

static char *member_subject(differ *d, const char *type_name, const char *member)
{
    return xprintf(d, "%s::%s", type_name, member ? member : "(anonymous)");
}

static uint64_t member_bits(const ag_corpus *c, const ag_member *m)
{
    return m->bit_size ? m->bit_size : ag_type_size(c, m->type) * 8;
}

static uint32_t node_change(differ *d, uint32_t ni, ag_change_kind kind, const char *subject,
                            const char *ov, const char *nv, char *detail)
{
    node *nd = &d->nodes[ni];
    const ag_type *b = nt(d, nd->n), *a = ot(d, nd->o);
    const char *file = b->decl_file ? b->decl_file : a->decl_file;
    uint32_t line = b->decl_file ? b->decl_line : a->decl_line;
    if (nd->anon_member) {
        /* Whatever moved inside an anonymous member is reported once per
           fact at the parent's anonymous member, where a user can find it. */
        char *wrapped = xprintf(d, "%s%s%s", subject ? subject : nd->name, detail ? ": " : "",
                                detail ? detail : "");
        free(detail);
        detail = wrapped;
        kind = AG_CK_ANONYMOUS_MEMBER_CHANGED;
        subject = nd->name;
    }
    uint32_t ci = add_change(d, kind, subject ? subject : nd->name, ov, nv, file, line, detail);
    slot s = { .owner_node = ni };
    own_change(d, &s, ci);
    if (ci != UINT32_MAX)
        d->changes[ci].node = ni;
    if (ci != UINT32_MAX && (kind == AG_CK_TYPE_SIZE_CHANGED || kind == AG_CK_MEMBER_ADDED_AT_END ||
                             kind == AG_CK_TYPE_ALIGNMENT_CHANGED))
        d->changes[ci].size_refinable = true;
    return ci;
}

/* A member as C code names it. The members of an anonymous struct or union
   member belong to the enclosing type (C11 6.7.2.1p13: `s.x`, not
   `s.<anon>.x`), so they are flattened into it, with their offsets from its
   start: members moved into or out of an anonymous member at the same
   offsets are no change. */
typedef struct flat_member {
    const ag_member *m;
    uint64_t bit_offset;  /* from the start of the type being compared */
    uint64_t bits;        /* storage: the bit-field width or the type's size */
    bool in_anon;         /* inside an anonymous struct or union member */
    bool in_union;        /* overlays its siblings: in a union (anonymous or the type itself) */
    bool reserved;        /* its name says it is padding or reserved for later use */
    size_t anon_index;    /* for an anonymous member that is not flattened: its rank among them */
    int match;            /* the paired member on the other side, -1 when none */
} flat_member;

typedef struct flat_list {
    flat_member *v;
    size_t n, cap;
    size_t n_anon;
} flat_list;

/* Names that say "padding" or "reserved for later": reserved, __reserved1,
   rsvd, pad, _pad0, padding, spare, unused, __glibc_reserved, dummy,
   filler. Compared word by word (split at '_' and digits). */
static bool is_reserved_name(const char *name)
{
    static const char *const words[] = { "reserved", "rsvd", "resv", "pad", "padding", "spare", "unused",
                                         "dummy", "filler", "reserve", NULL };
    for (const char *p = name ? name : ""; *p;) {
        while (*p == '_' || (*p >= '0' && *p <= '9'))
            p++;
        size_t w = 0;
        while (p[w] && p[w] != '_' && !(p[w] >= '0' && p[w] <= '9'))
            w++;
        for (size_t i = 0; words[i] && w; i++)
            if (strlen(words[i]) == w && strncasecmp(p, words[i], w) == 0)
                return true;
        p += w;
    }
    return false;
}

static void flatten(differ *d, const ag_corpus *c, ag_type_ref t, uint64_t base, bool in_anon, bool in_union,
                    int depth, flat_list *out)
{
    const ag_type *ty = t < c->n_types ? &c->types[t] : NULL;
    for (size_t i = 0; ty && i < ty->n_members && ok(d); i++) {
        const ag_member *m = &ty->members[i];
        ag_type_ref mt = ag_type_resolve(c, m->type);
        const ag_type *inner = mt < c->n_types ? &c->types[mt] : NULL;
        if (!m->name && inner && is_aggregate(inner->kind) && !inner->declaration_only && depth < 8) {
            flatten(d, c, mt, base + m->bit_offset, true, in_union || inner->kind == AG_T_UNION, depth + 1, out);
            continue;
        }
        if (!grow((void **)&out->v, &out->cap, out->n, sizeof *out->v)) {
            oom(d);
            return;
        }
        flat_member *f = &out->v[out->n++];
        *f = (flat_member){ .m = m, .bit_offset = base + m->bit_offset, .bits = member_bits(c, m),
                            .in_anon = in_anon, .in_union = in_union, .reserved = is_reserved_name(m->name),
                            .anon_index = m->name ? 0 : out->n_anon++, .match = -1 };
    }
}

static bool overlap(uint64_t off_a, uint64_t bits_a, uint64_t off_b, uint64_t bits_b)
{
    return off_a < off_b + bits_b && off_b < off_a + bits_a;
}

/* An array of bytes (char, signed/unsigned char, uint8_t, ...): what a
   header declares to give a struct its size without saying what is in it. */
static bool is_byte_array(const ag_corpus *c, ag_type_ref t)
{
    t = ag_type_resolve(c, t);
    if (t >= c->n_types || c->types[t].kind != AG_T_ARRAY)
        return false;
    ag_type_ref e = ag_type_resolve(c, c->types[t].target);
    if (e >= c->n_types || c->types[e].kind != AG_T_BASE || c->types[e].byte_size != 1)
        return false;
    ag_encoding enc = c->types[e].encoding;
    return enc == AG_ENC_SIGNED_CHAR || enc == AG_ENC_UNSIGNED_CHAR || enc == AG_ENC_SIGNED ||
           enc == AG_ENC_UNSIGNED;
}

/* The new member without a partner, an array of bytes, that now holds all
   of the old member fa's bytes (opaque storage), or NULL. */
static const flat_member *opaque_holder(const differ *d, const flat_list *lb, const flat_member *fa)
{
    for (size_t j = 0; j < lb->n; j++) {
        const flat_member *fb = &lb->v[j];
        if (fb->match == -1 && !fb->m->bit_size && !fa->m->bit_size && fb->bit_offset <= fa->bit_offset &&
            fa->bit_offset + fa->bits <= fb->bit_offset + fb->bits && is_byte_array(d->n, fb->m->type))
            return fb;
    }
    return NULL;
}

/* Whether a new member is opaque storage over old members that all went
   into it (each reported as struct-member-made-opaque) or were reserved. */
static bool only_made_opaque(const differ *d, const flat_list *la, const flat_list *lb, const flat_member *fb)
{
    bool any = false;
    for (size_t i = 0; i < la->n; i++) {
        const flat_member *fa = &la->v[i];
        if (!overlap(fa->bit_offset, fa->bits, fb->bit_offset, fb->bits) || fa->reserved)
            continue;
        if (fa->match >= 0 || opaque_holder(d, lb, fa) != fb)
            return false;
        any = true;
    }
    return any;
}

static void compare_member_pair(differ *d, uint32_t ni, const flat_member *fa, const flat_member *fb)
{
    node *nd = &d->nodes[ni];
    const ag_member *ma = fa->m, *mb = fb->m;
    const ag_type *a = ot(d, nd->o);
    char *subject = member_subject(d, nd->name, ma->name);
    if (!subject)
        return;
    bool bitfield = ma->bit_size || mb->bit_size;
    if (bitfield && (ma->bit_size != mb->bit_size || fa->bit_offset != fb->bit_offset)) {
        node_change(d, ni, AG_CK_BITFIELD_CHANGED, subject, NULL, NULL,
                    xprintf(d, "bit-field at bit %llu width %u -> bit %llu width %u",
                            (unsigned long long)fa->bit_offset, ma->bit_size,
                            (unsigned long long)fb->bit_offset, mb->bit_size));
    } else if (fa->bit_offset != fb->bit_offset) {
        /* A member inside an anonymous struct or union moved with it. */
        bool anon = !ma->name || fa->in_anon || fb->in_anon;
        node_change(d, ni, anon ? AG_CK_ANONYMOUS_MEMBER_CHANGED : AG_CK_MEMBER_OFFSET_CHANGED, subject, NULL, NULL,
                    xprintf(d, "moved from offset %llu to %llu%s", (unsigned long long)(fa->bit_offset / 8),
                            (unsigned long long)(fb->bit_offset / 8),
                            fa->in_anon || fb->in_anon ? " (in an anonymous struct or union)" : ""));
    }
    char label[300];
    snprintf(label, sizeof label, "member %s", ma->name ? ma->name : "(anonymous)");
    const ag_type *b = nt(d, nd->n);
    slot s = {
        .role = SLOT_MEMBER, .subject = subject, .label = label, .owner_node = ni,
        .flexible_member = is_flexible_array(d->o, ma->type) || is_flexible_array(d->n, mb->type),
        .last_member = a->kind == AG_T_STRUCT && a->n_members && b->n_members && ma == &a->members[a->n_members - 1] &&
                       mb == &b->members[b->n_members - 1],
        .decl_file = a->decl_file, .decl_line = a->decl_line,
    };
    if (b->decl_file) {
        s.decl_file = b->decl_file;
        s.decl_line = b->decl_line;
    }
    if (!ma->name) {
        d->anon_hint = subject;
        d->anon_hint_is_member = true;
    }
    compare_slot(d, &s, ma->type, mb->type, false, false);
    d->anon_hint = NULL;
    d->anon_hint_is_member = false;
    free(subject);
}

/* The new member's type is a union that holds, at offset 0, a member of
   the old member's type, and is no bigger: old binaries still read and
   write the same bytes. */
static bool union_holds(const differ *d, const flat_member *fa, const flat_member *fb)
{
    const ag_type *u = nt(d, ag_type_resolve(d->n, fb->m->type));
    if (!u || u->kind != AG_T_UNION || fb->bits != fa->bits)
        return false;
    for (size_t i = 0; i < u->n_members; i++)
        if (u->members[i].bit_offset == 0 && !u->members[i].bit_size &&
            same_spelling(d, fa->m->type, u->members[i].type))
            return true;
    return false;
}

/* An old and a new member at the same offset with the same storage, each
   without a partner of its name: nothing moved, one member took the
   other's place. */
static void compare_replacement(differ *d, uint32_t ni, const flat_member *fa, const flat_member *fb)
{
    node *nd = &d->nodes[ni];
    char ot_s[512], nt_s[512];
    spell(d->o, fa->m->type, ot_s, sizeof ot_s);
    spell(d->n, fb->m->type, nt_s, sizeof nt_s);
    const char *on = fa->m->name ? fa->m->name : "(anonymous)", *nn = fb->m->name ? fb->m->name : "(anonymous)";
    unsigned long long off = fa->bit_offset / 8, size = (fa->bits + 7) / 8;
    if (fa->reserved) {
        char *subject = member_subject(d, nd->name, fb->m->name);
        node_change(d, ni, AG_CK_MEMBER_ADDED_IN_PADDING, subject, NULL, nt_s,
                    xprintf(d, "member '%s' (%s) takes the place of reserved member '%s' (offset %llu, %llu "
                               "bytes): old binaries never use those bytes",
                            nn, nt_s, on, off, size));
        free(subject);
        return;
    }
    char *subject = member_subject(d, nd->name, fa->m->name);
    if (same_spelling(d, fa->m->type, fb->m->type)) {
        node_change(d, ni, AG_CK_MEMBER_RENAMED, subject, fa->m->name, fb->m->name,
                    xprintf(d, "member '%s' renamed to '%s'", on, nn));
        compare_member_pair(d, ni, fa, fb);
    } else if (union_holds(d, fa, fb)) {
        /* Same bytes for old binaries; code naming the old member must
           now go through the union's name. */
        uint32_t ci = node_change(d, ni, AG_CK_MEMBER_WRAPPED_IN_UNION, subject, ot_s, nt_s,
                                  xprintf(d, "member '%s' (%s) became '%s' (%s), which holds %s at offset 0; the "
                                             "name '%s' is gone",
                                          on, ot_s, nn, nt_s, ot_s, on));
        set_verdict(d, ci, AG_VERDICT_API_BREAK);
    } else {
        node_change(d, ni, AG_CK_MEMBER_TYPE_CHANGED, subject, ot_s, nt_s,
                    xprintf(d, "member '%s' (%s) replaced by '%s' (%s) at the same offset (%llu) and size (%llu "
                               "bytes): nothing moved, but old binaries use those bytes as %s",
                            on, ot_s, nn, nt_s, off, size, ot_s));
    }
    free(subject);
}

static int find_by_name(const flat_list *l, const flat_member *f)
{
    for (size_t i = 0; i < l->n; i++) {
        const ag_member *m = l->v[i].m;
        if (l->v[i].match >= 0)
            continue;
        if (f->m->name ? m->name && strcmp(m->name, f->m->name) == 0 : !m->name && l->v[i].anon_index == f->anon_index)
            return (int)i;
    }
    return -1;
}

/* A new member without a partner: where did it go? */
static void classify_added(differ *d, uint32_t ni, const flat_list *la, const flat_list *lb, const flat_member *fb)
{
    node *nd = &d->nodes[ni];
    const ag_type *a = ot(d, nd->o), *b = nt(d, nd->n);
    uint64_t old_bits = a->byte_size * 8, end = fb->bit_offset + fb->bits;
    const char *nn = fb->m->name ? fb->m->name : "(anonymous)";
    char ts[512];
    spell(d->n, fb->m->type, ts, sizeof ts);
    char *subject = member_subject(d, nd->name, fb->m->name);
    ag_change_kind k;
    char *detail = NULL;
    /* What lay in its bytes before: nothing (padding, reserved space),
       members still there unchanged (it overlays them in a union), or
       members that moved, changed or went. */
    bool overlays_kept = false, kept_were_in_union = true, overlaps_changed = false;
    const char *overlaid = NULL, *reserved = NULL;
    for (size_t i = 0; i < la->n; i++) {
        const flat_member *fa = &la->v[i];
        if (!overlap(fa->bit_offset, fa->bits, fb->bit_offset, fb->bits))
            continue;
        if (fa->reserved) {
            reserved = fa->m->name;
            continue;
        }
        const flat_member *partner = fa->match >= 0 ? &lb->v[fa->match] : NULL;
        if (partner && partner->bit_offset == fa->bit_offset && partner->bits == fa->bits && fb->in_union) {
            overlays_kept = true;
            kept_were_in_union = kept_were_in_union && fa->in_union;
            if (!overlaid)
                overlaid = fa->m->name;
        } else {
            overlaps_changed = true;
        }
    }
    if (b->kind == AG_T_UNION) {
        k = fb->bits <= old_bits ? AG_CK_MEMBER_ADDED_IN_PADDING : AG_CK_MEMBER_ADDED_AT_END;
    } else if (fb->bit_offset >= old_bits) {
        k = AG_CK_MEMBER_ADDED_AT_END;
    } else if (!overlaps_changed && end <= old_bits && (!overlays_kept || kept_were_in_union)) {
        k = AG_CK_MEMBER_ADDED_IN_PADDING; /* a hole, tail padding, reserved bytes, or room in a union */
    } else if (!overlaps_changed && end <= old_bits) {
        k = AG_CK_MEMBER_WRAPPED_IN_UNION;
        free(subject);
        subject = member_subject(d, nd->name, overlaid);
        detail = xprintf(d, "member '%s' is now in a union with '%s' (%s) at the same offset: old binaries read "
                            "and write the same bytes", overlaid ? overlaid : "(anonymous)", nn, ts);
    } else {
        k = AG_CK_MEMBER_ADDED_IN_MIDDLE;
        /* Which later members moved, if any: only then say so. */
        char moved[512] = "";
        size_t used = 0, n_moved = 0;
        for (size_t i = 0; i < la->n; i++) {
            const flat_member *fa = &la->v[i];
            if (fa->match < 0 || fa->bit_offset < fb->bit_offset || lb->v[fa->match].bit_offset == fa->bit_offset)
                continue;
            if (n_moved++ < 4 && used < sizeof moved)
                used += (size_t)snprintf(moved + used, sizeof moved - used, "%s%s (%llu -> %llu)", used ? ", " : "",
                                         fa->m->name ? fa->m->name : "(anonymous)",
                                         (unsigned long long)(fa->bit_offset / 8),
                                         (unsigned long long)(lb->v[fa->match].bit_offset / 8));
        }
        if (n_moved)
            detail = xprintf(d, "member '%s' added at offset %llu; members after it moved: %s%s", nn,
                             (unsigned long long)(fb->bit_offset / 8), moved, n_moved > 4 ? ", ..." : "");
        else
            detail = xprintf(d, "member '%s' added at offset %llu, in bytes old binaries use for members that "
                                "changed or went (reported with them)",
                             nn, (unsigned long long)(fb->bit_offset / 8));
    }
    if (!detail && reserved && k == AG_CK_MEMBER_ADDED_IN_PADDING)
        detail = xprintf(d, "member '%s' added at offset %llu, in bytes reserved member '%s' held", nn,
                         (unsigned long long)(fb->bit_offset / 8), reserved);
    if (!detail)
        detail = xprintf(d, "member '%s' added at offset %llu", nn, (unsigned long long)(fb->bit_offset / 8));
    node_change(d, ni, k, subject, NULL, ts, detail);
    free(subject);
}

static void compare_members(differ *d, uint32_t ni)
{
    /* d->nodes may move while members are compared (a slot can add
       nodes): the node is looked up by index each time. */
    ag_type_ref to = d->nodes[ni].o, tn = d->nodes[ni].n;
    const ag_type *a = ot(d, to), *b = nt(d, tn);
    flat_list la = { 0 }, lb = { 0 };
    flatten(d, d->o, to, 0, false, a->kind == AG_T_UNION, 0, &la);
    flatten(d, d->n, tn, 0, false, b->kind == AG_T_UNION, 0, &lb);
    /* 1. By name (anonymous members that could not be flattened: in order). */
    for (size_t i = 0; i < la.n && ok(d); i++) {
        int j = find_by_name(&lb, &la.v[i]);
        if (j < 0)
            continue;
        la.v[i].match = j;
        lb.v[j].match = (int)i;
    }
    /* 2. By place: same offset and storage, nothing moved. */
    for (size_t i = 0; i < la.n && ok(d); i++) {
        flat_member *fa = &la.v[i];
        if (fa->match >= 0 || !fa->m->name)
            continue;
        for (size_t j = 0; j < lb.n; j++) {
            flat_member *fb = &lb.v[j];
            if (fb->match >= 0 || !fb->m->name || fb->bit_offset != fa->bit_offset || fb->bits != fa->bits ||
                fb->m->bit_size != fa->m->bit_size)
                continue;
            fa->match = (int)j;
            fb->match = -2 - (int)i; /* paired by place, reported as a replacement */
            break;
        }
    }
    for (size_t i = 0; i < la.n && ok(d); i++) {
        flat_member *fa = &la.v[i];
        if (fa->match >= 0 && lb.v[fa->match].match == (int)i) {
            const flat_member *fb = &lb.v[fa->match];
            /* A reserved member that kept (part of) its place: still reserved. */
            bool still_reserved = (fa->reserved || fb->reserved) && fb->bit_offset >= fa->bit_offset &&
                                  fb->bit_offset + fb->bits <= fa->bit_offset + fa->bits;
            if (!still_reserved)
                compare_member_pair(d, ni, fa, fb);
            continue;
        }
        if (fa->match >= 0) {
            compare_replacement(d, ni, fa, &lb.v[fa->match]);
            continue;
        }
        /* Removed. Reserved bytes that new members now use are reported
           with those members; reserved bytes simply gone only stop code
           that names them from compiling. */
        bool reused = false;
        for (size_t j = 0; fa->reserved && j < lb.n; j++)
            reused = reused || overlap(fa->bit_offset, fa->bits, lb.v[j].bit_offset, lb.v[j].bits);
        if (reused)
            continue;
        char ts[512];
        spell(d->o, fa->m->type, ts, sizeof ts);
        char *subject = member_subject(d, d->nodes[ni].name, fa->m->name);
        const flat_member *holder = fa->reserved ? NULL : opaque_holder(d, &lb, fa);
        if (holder) {
            char hs[512];
            spell(d->n, holder->m->type, hs, sizeof hs);
            node_change(d, ni, AG_CK_MEMBER_MADE_OPAQUE, subject, ts, hs,
                        xprintf(d, "member '%s' (%s, offset %llu) is now bytes %llu-%llu of '%s' (%s): its "
                                   "bytes stay in place, its name is gone",
                                fa->m->name ? fa->m->name : "(anonymous)", ts,
                                (unsigned long long)(fa->bit_offset / 8),
                                (unsigned long long)((fa->bit_offset - holder->bit_offset) / 8),
                                (unsigned long long)((fa->bit_offset - holder->bit_offset + fa->bits) / 8 - 1),
                                holder->m->name ? holder->m->name : "(anonymous)", hs));
            free(subject);
            continue;
        }
        uint32_t ci = node_change(d, ni, AG_CK_MEMBER_REMOVED, subject, ts, NULL,
                                  xprintf(d, "%smember '%s' at offset %llu removed%s", fa->reserved ? "reserved " : "",
                                          fa->m->name ? fa->m->name : "(anonymous)",
                                          (unsigned long long)(fa->bit_offset / 8),
                                          fa->reserved ? ": binaries never used it" : ""));
        if (fa->reserved)
            set_verdict(d, ci, AG_VERDICT_API_BREAK);
        free(subject);
    }
    for (size_t j = 0; j < lb.n && ok(d); j++) {
        if (lb.v[j].match == -1 && !only_made_opaque(d, &la, &lb, &lb.v[j]))
            classify_added(d, ni, &la, &lb, &lb.v[j]);
    }
    free(la.v);
    free(lb.v);
}

static const ag_enumerator *find_enumerator(const ag_type *t, const char *name, size_t *index)
{
    for (size_t i = 0; i < t->n_enumerators; i++)
        if (t->enumerators[i].name && name && strcmp(t->enumerators[i].name, name) == 0) {
            if (index)
                *index = i;
            return &t->enumerators[i];
        }
    return NULL;
}

static char *enum_value_str(differ *d, const ag_enumerator *e)
{
    if (e->value_unsigned)
        return xprintf(d, "%llu", (unsigned long long)(uint64_t)e->value);
    return xprintf(d, "%lld", (long long)e->value);
}

static void compare_enums(differ *d, uint32_t ni)
{
    node *nd = &d->nodes[ni];
    const ag_type *a = ot(d, nd->o), *b = nt(d, nd->n);
    if (a->byte_size != b->byte_size)
        node_change(d, ni, AG_CK_ENUM_SIZE_CHANGED, NULL, NULL, NULL,
                    xprintf(d, "size %llu -> %llu bytes", (unsigned long long)a->byte_size,
                            (unsigned long long)b->byte_size));
    size_t last_matched = 0;
    bool any_matched = false;
    bool *matched = calloc(b->n_enumerators + 1, sizeof *matched);
    if (!matched) {
        oom(d);
        return;
    }
    for (size_t i = 0; i < a->n_enumerators && ok(d); i++) {
        const ag_enumerator *ea = &a->enumerators[i];
        size_t j = 0;
        const ag_enumerator *eb = find_enumerator(b, ea->name, &j);
        char *subject = xprintf(d, "%s::%s", nd->name, ea->name ? ea->name : "?");
        char *ov = enum_value_str(d, ea);
        if (eb) {
            matched[j] = true;
            if (j > last_matched || !any_matched)
                last_matched = j;
            any_matched = true;
            if (eb->value != ea->value || eb->value_unsigned != ea->value_unsigned) {
                char *nv = enum_value_str(d, eb);
                node_change(d, ni, AG_CK_ENUMERATOR_VALUE_CHANGED, subject, ov, nv, NULL);
                free(nv);
            }
        } else {
            const ag_enumerator *renamed = NULL;
            for (size_t k = 0; k < b->n_enumerators; k++) {
                const ag_enumerator *cand = &b->enumerators[k];
                if (!matched[k] && !find_enumerator(a, cand->name, NULL) && cand->value == ea->value) {
                    renamed = cand;
                    matched[k] = true;
                    break;
                }
            }
            if (renamed)
                node_change(d, ni, AG_CK_ENUMERATOR_RENAMED, subject, ea->name, renamed->name, NULL);
            else
                node_change(d, ni, AG_CK_ENUMERATOR_REMOVED, subject, ov, NULL, NULL);
        }
        free(ov);
        free(subject);
    }
    for (size_t j = 0; j < b->n_enumerators && ok(d); j++) {
        if (matched[j])
            continue;
        const ag_enumerator *eb = &b->enumerators[j];
        char *subject = xprintf(d, "%s::%s", nd->name, eb->name ? eb->name : "?");
        char *nv = enum_value_str(d, eb);
        node_change(d, ni, (!any_matched || j > last_matched) ? AG_CK_ENUMERATOR_ADDED_AT_END
                                                               : AG_CK_ENUMERATOR_ADDED_IN_MIDDLE,
                    subject, NULL, nv, NULL);
        free(nv);
        free(subject);
    }
    free(matched);
}

/* The struct shrank only because its last member, T x[1] (or x[0]),
   became the flexible array T x[] with the same element at the same
   offset: sizeof lost at most that element and its padding. */
static bool one_element_array_went(const differ *d, const ag_type *a, const ag_type *b)
{
    if (a->kind != AG_T_STRUCT || !a->n_members || !b->n_members || b->byte_size > a->byte_size)
        return false;
    const ag_member *ma = &a->members[a->n_members - 1], *mb = &b->members[b->n_members - 1];
    ag_type_ref ta = ag_type_resolve(d->o, ma->type), tb = ag_type_resolve(d->n, mb->type);
    const ag_type *xa = ot(d, ta), *xb = nt(d, tb);
    if (!xa || !xb || !ma->name || !mb->name || strcmp(ma->name, mb->name) != 0 || ma->bit_offset != mb->bit_offset ||
        xa->kind != AG_T_ARRAY || xb->kind != AG_T_ARRAY || xa->n_dims != 1 || xb->n_dims != 1 ||
        xa->dims[0] != 1 || (xb->dims[0] != AG_DIM_UNKNOWN && xb->dims[0] != 0) ||
        !same_spelling(d, xa->target, xb->target))
        return false;
    /* at most the element plus the tail padding it caused (alignment <= 16) */
    return a->byte_size - b->byte_size < ag_type_size(d->o, xa->target) + 16;
}

static void compare_node(differ *d, uint32_t ni)
{
    const ag_type *a = ot(d, d->nodes[ni].o), *b = nt(d, d->nodes[ni].n);
    if (!spend(d, 1 + a->n_members + a->n_enumerators))
        return;
    switch (a->kind) {
    case AG_T_TYPEDEF: {
        char *subject = xstrdup(d, d->nodes[ni].name);
        slot s = { .role = SLOT_TYPEDEF, .subject = subject, .label = "target", .owner_node = ni,
                   .decl_file = b->decl_file, .decl_line = b->decl_line,
                   .carry_align_o = a->alignment, .carry_align_n = b->alignment };
        d->anon_hint = subject; /* typedef struct { ... } name_t: call it name_t */
        d->anon_hint_is_member = false;
        compare_slot(d, &s, a->target, b->target, false, false);
        d->anon_hint = NULL;
        free(subject);
        return;
    }
    case AG_T_ENUM:
        if (a->declaration_only || b->declaration_only)
            break;
        compare_enums(d, ni);
        return;
    case AG_T_STRUCT:
    case AG_T_UNION:
        break;
    default:
        return;
    }
    if (a->declaration_only != b->declaration_only) {
        node_change(d, ni, b->declaration_only ? AG_CK_TYPE_BECAME_OPAQUE : AG_CK_TYPE_BECAME_COMPLETE,
                    NULL, NULL, NULL, NULL);
        return;
    }
    if (a->declaration_only || a->kind == AG_T_ENUM)
        return;
    if (a->byte_size != b->byte_size && one_element_array_went(d, a, b)) {
        uint32_t ci = node_change(d, ni, AG_CK_TYPE_SIZE_CHANGED, NULL, NULL, NULL,
                                  xprintf(d, "size %llu -> %llu bytes: only the trailing one-element array's element "
                                             "went (now a flexible array member): allocations sized for the old "
                                             "struct still hold it", (unsigned long long)a->byte_size,
                                          (unsigned long long)b->byte_size));
        if (ci != UINT32_MAX) {
            d->changes[ci].size_refinable = false;
            set_verdict(d, ci, AG_VERDICT_HARMLESS);
        }
    } else if (a->byte_size != b->byte_size) {
        node_change(d, ni, AG_CK_TYPE_SIZE_CHANGED, NULL, NULL, NULL,
                    xprintf(d, "size %llu -> %llu bytes", (unsigned long long)a->byte_size,
                            (unsigned long long)b->byte_size));
    }
    uint64_t align_a = type_alignment(d, d->o, d->nodes[ni].o), align_b = type_alignment(d, d->n, d->nodes[ni].n);
    if (align_a != align_b)
        node_change(d, ni, AG_CK_TYPE_ALIGNMENT_CHANGED, NULL, NULL, NULL,
                    xprintf(d, "alignment %llu -> %llu", (unsigned long long)align_a,
                            (unsigned long long)align_b));
    compare_members(d, ni);
}

/* ------------------------------------------------------------------ */
/* Symbols and ELF properties                                           */

static bool is_func_sym(const ag_symbol *s)
{
    return s->type == AG_SYM_FUNC || s->type == AG_SYM_IFUNC;
}

static const ag_symbol *find_export(const ag_corpus *c, const char *name, const char *version)
{
    size_t lo = 0, hi = c->n_exports;
    while (lo < hi) { /* exports are sorted by name */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->exports[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < c->n_exports && strcmp(c->exports[i].name, name) == 0; i++) {
        const ag_symbol *s = &c->exports[i];
        if (!version || (s->version && strcmp(s->version, version) == 0) ||
            (version == s->version))
            return s;
    }
    return NULL;
}

static const ag_symbol *default_export(const ag_corpus *c, const char *name)
{
    const ag_symbol *first = NULL;
    for (const ag_symbol *s = find_export(c, name, NULL);
         s && s < c->exports + c->n_exports && strcmp(s->name, name) == 0; s++) {
        if (!first)
            first = s;
        if (s->is_default)
            return s;
    }
    return first;
}

static void symbol_change(differ *d, ag_change_kind k, const char *subject, const char *ov,
                          const char *nv, char *detail)
{
    add_change(d, k, subject, ov, nv, NULL, 0, detail);
}

/* An export the old release's public headers do not declare (recorded at
   extraction, surface.h). */
static bool export_is_internal(const ag_corpus *c, const char *name, bool fn)
{
    if (!c->surface.recorded || !c->has_debug_info)
        return false;
    if (fn) {
        const ag_function *f = ag_corpus_find_function(c, name);
        return f && f->is_internal;
    }
    const ag_variable *v = ag_corpus_find_variable(c, name);
    return v && v->is_internal;
}

/* Its removal: no binary built from the public headers refers to it, so it
   is left out with the private changes (listed with --show-private). */
static void internal_removal(differ *d, bool fn, const char *subject)
{
    uint32_t ci = add_change(d, fn ? AG_CK_FN_REMOVED : AG_CK_VAR_REMOVED, subject, NULL, NULL, NULL, 0,
                             xstrdup(d, "declared in no public header: an export the library kept for itself"));
    if (ci != UINT32_MAX)
        d->changes[ci].internal_export = true;
}

static char *sym_subject(differ *d, const ag_symbol *s)
{
    return is_func_sym(s) ? xprintf(d, "%s()", s->name) : xstrdup(d, s->name);
}

static void compare_symbol_pair(differ *d, const ag_symbol *a, const ag_symbol *b)
{
    char *subject = sym_subject(d, a);
    bool fa = is_func_sym(a), fb = is_func_sym(b);
    /* An untyped symbol (an assembler label) says nothing about what it
       labels: becoming FUNC or OBJECT (a .type added) is no change. */
    bool untyped = a->type == AG_SYM_NOTYPE || b->type == AG_SYM_NOTYPE;
    if (!untyped && (fa != fb || (a->type == AG_SYM_TLS) != (b->type == AG_SYM_TLS)))
        symbol_change(d, AG_CK_SYMBOL_TYPE_CHANGED, subject, ag_sym_type_name(a->type),
                      ag_sym_type_name(b->type), NULL);
    if (a->binding == AG_BIND_WEAK && b->binding != AG_BIND_WEAK)
        symbol_change(d, AG_CK_BINDING_WEAK_TO_GLOBAL, subject, "weak", ag_sym_binding_name(b->binding), NULL);
    if (a->binding != AG_BIND_WEAK && b->binding == AG_BIND_WEAK)
        symbol_change(d, AG_CK_BINDING_GLOBAL_TO_WEAK, subject, ag_sym_binding_name(a->binding), "weak", NULL);
    if (!fa && !fb && a->size != b->size && a->size && b->size) {
        char os[32], ns[32];
        snprintf(os, sizeof os, "%llu", (unsigned long long)a->size);
        snprintf(ns, sizeof ns, "%llu", (unsigned long long)b->size);
        symbol_change(d, a->type == AG_SYM_TLS ? AG_CK_TLS_SIZE_CHANGED : AG_CK_VAR_SIZE_CHANGED, subject,
                      os, ns, xprintf(d, "size %s -> %s bytes", os, ns));
    }
    free(subject);
}

/* The version-node-removed change for version v, if compare_elf made one:
   symbols that lose v are impacts of that one change rather than one
   symbol-version-removed each. */
static change_rec *removed_node_change(differ *d, const char *v)
{
    for (size_t i = 0; v && i < d->n_changes; i++)
        if (d->changes[i].c.kind == AG_CK_VERSION_NODE_REMOVED && strcmp(d->changes[i].c.subject, v) == 0)
            return &d->changes[i];
    return NULL;
}

/* A symbol of the old release the new one still exports by name: its
   versions, its default version, its type, binding and size. */
static void compare_kept_export(differ *d, const ag_symbol *a, bool first_of_name)
{
    const ag_corpus *o = d->o, *n = d->n;
    if (a->version && !find_export(n, a->name, a->version)) {
        char *subject = xprintf(d, "%s@%s", a->name, a->version);
        change_rec *node_gone = removed_node_change(d, a->version);
        if (node_gone)
            add_impact(d, node_gone, a->name, subject ? subject : a->name);
        else
            symbol_change(d, AG_CK_SYMBOL_VERSION_REMOVED, subject, a->version, NULL, NULL);
        free(subject);
    }
    if (!first_of_name)
        return;
    const ag_symbol *da = default_export(o, a->name), *db = default_export(n, a->name);
    if (da && db && da->version && db->version && strcmp(da->version, db->version) != 0 &&
        !removed_node_change(d, da->version)) {
        char *subject = sym_subject(d, a);
        symbol_change(d, AG_CK_DEFAULT_VERSION_CHANGED, subject, da->version, db->version, NULL);
        free(subject);
    }
    if (da && db)
        compare_symbol_pair(d, da, db);
}

static void compare_symbols(differ *d, ag_diff *out)
{
    const ag_corpus *o = d->o, *n = d->n;
    for (size_t i = 0; i < o->n_exports && ok(d); i++) {
        const ag_symbol *a = &o->exports[i];
        bool first_of_name = i == 0 || strcmp(o->exports[i - 1].name, a->name) != 0;
        const ag_symbol *any_new = find_export(n, a->name, NULL);
        if (!any_new) {
            if (!first_of_name)
                continue;
            char *subject = sym_subject(d, a);
            bool fn = is_func_sym(a);
            bool internal = export_is_internal(o, a->name, fn);
            if (a->type == AG_SYM_NOTYPE)
                symbol_change(d, AG_CK_SYMBOL_REMOVED, subject, NULL, NULL, NULL);
            else if (internal)
                internal_removal(d, fn, subject);
            else
                symbol_change(d, fn ? AG_CK_FN_REMOVED : AG_CK_VAR_REMOVED, subject, NULL, NULL, NULL);
            if (internal)
                ;
            else if (fn)
                out->functions_removed++;
            else if (a->type != AG_SYM_NOTYPE)
                out->variables_removed++;
            free(subject);
            continue;
        }
        /* What follows is about a symbol still exported; for an export no
           public header declares it is left out with the private changes. */
        size_t first_change = d->n_changes;
        bool internal = export_is_internal(o, a->name, is_func_sym(a));
        compare_kept_export(d, a, first_of_name);
        for (size_t k = first_change; internal && k < d->n_changes; k++)
            d->changes[k].internal_export = true;
    }
    for (size_t i = 0; i < n->n_exports && ok(d); i++) {
        const ag_symbol *b = &n->exports[i];
        if ((i > 0 && strcmp(n->exports[i - 1].name, b->name) == 0) || find_export(o, b->name, NULL))
            continue;
        char *subject = sym_subject(d, b);
        bool fn = is_func_sym(b);
        if (b->type == AG_SYM_NOTYPE)
            symbol_change(d, AG_CK_SYMBOL_ADDED, subject, NULL, NULL, NULL);
        else
            symbol_change(d, fn ? AG_CK_FN_ADDED : AG_CK_VAR_ADDED, subject, NULL, NULL, NULL);
        if (fn)
            out->functions_added++;
        else if (b->type != AG_SYM_NOTYPE)
            out->variables_added++;
        free(subject);
    }
}

static bool strv_has(char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

static bool str_differs(const char *a, const char *b)
{
    if (!a || !b)
        return a != b;
    return strcmp(a, b) != 0;
}

static void compare_elf(differ *d)
{
    const ag_elf_info *a = &d->o->elf, *b = &d->n->elf;
    /* Without a SONAME the linker records the file name in DT_NEEDED, and
       the loader looks that name up, not the SONAME: a SONAME added under
       the same file name is found by old binaries. Removed or changed, the
       name new builds record is another one (and old binaries' is gone
       once the file is renamed to match). */
    if (!a->soname && b->soname)
        symbol_change(d, AG_CK_SONAME_ADDED, "SONAME", NULL, b->soname,
                      xprintf(d, "SONAME %s added; binaries linked against the old release recorded the file name", b->soname));
    else if (str_differs(a->soname, b->soname))
        symbol_change(d, AG_CK_SONAME_CHANGED, "SONAME", a->soname, b->soname, NULL);
    for (size_t i = 0; i < a->n_version_defs; i++)
        if (!strv_has(b->version_defs, b->n_version_defs, a->version_defs[i]))
            symbol_change(d, AG_CK_VERSION_NODE_REMOVED, a->version_defs[i], a->version_defs[i], NULL, NULL);
    for (size_t i = 0; i < b->n_version_defs; i++)
        if (!strv_has(a->version_defs, a->n_version_defs, b->version_defs[i]))
            symbol_change(d, AG_CK_VERSION_NODE_ADDED, b->version_defs[i], NULL, b->version_defs[i], NULL);
    static const struct {
        size_t offset;
        bool dropped_when_false; /* true: old had it, new lost it; false: new gained it */
        ag_change_kind kind;
        const char *subject;
    } props[] = {
        { offsetof(ag_elf_info, relro), true, AG_CK_RELRO_DROPPED, "RELRO" },
        { offsetof(ag_elf_info, bind_now), true, AG_CK_BIND_NOW_DROPPED, "BIND_NOW" },
        { offsetof(ag_elf_info, stack_protector), true, AG_CK_STACK_PROTECTOR_DROPPED, "stack protector" },
        { offsetof(ag_elf_info, cet_ibt), true, AG_CK_CET_IBT_DROPPED, "CET IBT" },
        { offsetof(ag_elf_info, cet_shstk), true, AG_CK_CET_SHSTK_DROPPED, "CET SHSTK" },
        { offsetof(ag_elf_info, static_tls), false, AG_CK_STATIC_TLS_INTRODUCED, "static TLS" },
        { offsetof(ag_elf_info, exec_stack), false, AG_CK_EXEC_STACK_INTRODUCED, "executable stack" },
    };
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
        bool had = *(const bool *)((const char *)a + props[i].offset);
        bool has = *(const bool *)((const char *)b + props[i].offset);
        if (props[i].dropped_when_false ? (had && !has) : (!had && has))
            symbol_change(d, props[i].kind, props[i].subject, had ? "yes" : "no", has ? "yes" : "no", NULL);
    }
    if (str_differs(a->runpath, b->runpath) || str_differs(a->rpath, b->rpath))
        symbol_change(d, AG_CK_RUNPATH_CHANGED, "RUNPATH", a->runpath ? a->runpath : a->rpath,
                      b->runpath ? b->runpath : b->rpath, NULL);
    for (size_t i = 0; i < b->n_needed; i++)
        if (!strv_has(a->needed, a->n_needed, b->needed[i]))
            symbol_change(d, AG_CK_NEEDED_ADDED, b->needed[i], NULL, b->needed[i], NULL);
    for (size_t i = 0; i < a->n_needed; i++)
        if (!strv_has(b->needed, b->n_needed, a->needed[i]))
            symbol_change(d, AG_CK_NEEDED_REMOVED, a->needed[i], a->needed[i], NULL, NULL);
    /* Types not compared is never "no change": say which side lacks them. */
    bool ho = d->o->has_debug_info, hn = d->n->has_debug_info;
    if (!ho || !hn)
        symbol_change(d, AG_CK_DEBUG_INFO_MISSING, "debug info", ho ? "present" : "absent",
                      hn ? "present" : "absent",
                      xprintf(d, "%s no debug info: types and signatures were not compared",
                              !ho && !hn ? "neither release has" : !ho ? "the old release has" : "the new release has"));
}

/* ------------------------------------------------------------------ */
/* Interfaces                                                           */

typedef struct iface {
    char *name;            /* "ctx_init" */
    uint32_t *changes;     /* interface-level changes */
    size_t n_changes, cap_changes;
    edge *edges;           /* roots of the walk, labels like "ctx_init() param 1" */
    size_t n_edges, cap_edges;
    bool internal;         /* no public header declares it (surface.h): compared, left out */
} iface;

static slot iface_slot(iface *f, slot_role role, const char *subject, const char *label,
                       const char *decl_file, uint32_t decl_line)
{
    slot s = { .role = role, .subject = subject, .label = label, .owner_node = UINT32_MAX,
               .decl_file = decl_file, .decl_line = decl_line };
    s.iface_changes = (uint32_t *)(void *)&f->changes;
    s.n_iface_changes = &f->n_changes;
    s.cap_iface_changes = &f->cap_changes;
    s.iface_edges = &f->edges;
    s.n_iface_edges = &f->n_edges;
    s.cap_iface_edges = &f->cap_edges;
    return s;
}

static uint32_t iface_change(differ *d, iface *f, ag_change_kind k, const char *subject, const char *ov,
                             const char *nv, const char *file, uint32_t line, char *detail)
{
    uint32_t ci = add_change(d, k, subject, ov, nv, file, line, detail);
    slot s = iface_slot(f, SLOT_PARAM, subject, "", file, line);
    own_change(d, &s, ci);
    return ci;
}

/* Whether the parameters a function kept (the first `common`) are the same
   ones: same type and, named on both sides, the same name. A name that
   differs may be a parameter removed from the middle, the later ones
   shifted down a register (f(a, b, c) -> f(a, c)). */
static bool kept_params_unchanged(const differ *d, const ag_function *a, const ag_function *b, size_t common)
{
    for (size_t i = 0; i < common; i++) {
        const char *on = a->params[i].name, *nn = b->params[i].name;
        if (!on || !nn || strcmp(on, nn) != 0 || !same_spelling(d, a->params[i].type, b->params[i].type))
            return false;
    }
    return true;
}

/* When every parameter is named, the names unique, and the shorter list
   is the longer one with some names taken out: which parameter of `longer`
   each of `shorter` is (pos[j]), so that a parameter removed from or added
   in the middle is reported as that, with the later ones shifted, not as
   renames down the list. False when names do not say so. */
static bool align_params_by_name(const ag_function *shorter, const ag_function *longer, size_t *pos)
{
    for (size_t i = 0; i < longer->n_params; i++) {
        if (!longer->params[i].name)
            return false;
        for (size_t k = 0; k < i; k++)
            if (strcmp(longer->params[k].name, longer->params[i].name) == 0)
                return false;
    }
    size_t i = 0;
    for (size_t j = 0; j < shorter->n_params; j++, i++) {
        if (!shorter->params[j].name)
            return false;
        while (i < longer->n_params && strcmp(longer->params[i].name, shorter->params[j].name) != 0)
            i++;
        if (i == longer->n_params)
            return false;
        pos[j] = i;
    }
    return true;
}

/* "; the later parameters move: c 3 -> 2, d 4 -> 3" for the parameters of
   the longer list after index `at` that the shorter list has elsewhere. */
static char *shifted_params(differ *d, const ag_function *shorter, const size_t *pos, size_t at, bool removed)
{
    char buf[512] = "";
    size_t used = 0, n = 0;
    for (size_t j = 0; j < shorter->n_params && used < sizeof buf; j++) {
        if (pos[j] < at || pos[j] == j)
            continue;
        if (n++ < 4)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s %zu -> %zu", used ? ", " : "",
                                     shorter->params[j].name, removed ? pos[j] + 1 : j + 1,
                                     removed ? j + 1 : pos[j] + 1);
    }
    if (!n)
        return xstrdup(d, "");
    return xprintf(d, "; the later parameters move (%s%s): old callers pass each %s than the function reads it",
                   buf, n > 4 ? ", ..." : "", removed ? "later" : "earlier");
}

static void compare_function(differ *d, iface *f, const ag_function *a, const ag_function *b)
{
    char *subject = xprintf(d, "%s()", a->name);
    const char *file = b->decl_file ? b->decl_file : a->decl_file;
    uint32_t line = b->decl_file ? b->decl_line : a->decl_line;
    char label[300];
    snprintf(label, sizeof label, "%s() return", a->name);
    slot s = iface_slot(f, SLOT_RETURN, subject, label, file, line);
    s.where = "return value";
    s.top_o = a->return_type;
    s.top_n = b->return_type;
    compare_slot(d, &s, a->return_type, b->return_type, false, false);
    /* Which old parameter each new one is: by position, or by name when a
       parameter went from (or came into) the middle. */
    size_t longest = a->n_params > b->n_params ? a->n_params : b->n_params;
    size_t *pos = calloc(longest ? longest : 1, sizeof *pos);
    bool removing = a->n_params > b->n_params, by_name = false;
    if (!pos) {
        oom(d);
        free(subject);
        return;
    }
    if (a->n_params != b->n_params)
        by_name = removing ? align_params_by_name(b, a, pos) : align_params_by_name(a, b, pos);
    size_t common = a->n_params < b->n_params ? a->n_params : b->n_params;
    for (size_t j = 0; j < common; j++)
        if (!by_name)
            pos[j] = j;
    /* pos maps the shorter list into the longer; as pairs (old i, new j). */
    for (size_t k = 0; k < common && ok(d); k++) {
        size_t i = removing ? pos[k] : k, j = removing ? k : pos[k];
        if (!by_name)
            i = j = k;
        const char *on = a->params[i].name, *nn = b->params[j].name;
        char where[300];
        snprintf(label, sizeof label, "%s() param %zu", a->name, j + 1);
        if (nn || on)
            snprintf(where, sizeof where, "parameter %zu '%s'", j + 1, nn ? nn : on);
        else
            snprintf(where, sizeof where, "parameter %zu", j + 1);
        s = iface_slot(f, SLOT_PARAM, subject, label, file, line);
        s.where = where;
        s.top_o = a->params[i].type;
        s.top_n = b->params[j].type;
        compare_slot(d, &s, a->params[i].type, b->params[j].type, false, false);
        if (on && nn && strcmp(on, nn) != 0)
            iface_change(d, f, AG_CK_FN_PARAM_RENAMED, subject, on, nn, file, line,
                         xprintf(d, "parameter %zu renamed from '%s' to '%s'", j + 1, on, nn));
    }
    /* The parameters without a partner: at the end (by position), or where
       the names say (by name). */
    bool *paired = calloc(longest ? longest : 1, sizeof *paired);
    if (!paired) {
        oom(d);
        free(pos);
        free(subject);
        return;
    }
    for (size_t k = 0; k < common; k++)
        paired[by_name ? pos[k] : k] = true;
    const ag_function *longer = removing ? a : b, *shorter = removing ? b : a;
    /* Parameters removed at the end of a fixed-argument list: old callers
       still pass them, in argument registers or stack slots that the
       caller itself sets up and releases (every caller-cleanup convention:
       the SysV and AAPCS psABIs), and the function never reads them. Only
       source passing them stops compiling. Removed from the middle, or
       before variadic arguments, the later ones are read from the wrong
       places. */
    bool trailing = removing && !a->variadic && !b->variadic && a->calling_convention == b->calling_convention &&
                    kept_params_unchanged(d, a, b, common);
    for (size_t i = 0; i < longer->n_params && ok(d); i++) {
        if (paired[i])
            continue;
        char ts[512];
        spell(removing ? d->o : d->n, longer->params[i].type, ts, sizeof ts);
        const char *name = longer->params[i].name ? longer->params[i].name : "";
        char *shift = by_name ? shifted_params(d, shorter, pos, i, removing) : xstrdup(d, "");
        if (!removing) {
            iface_change(d, f, AG_CK_FN_PARAM_ADDED, subject, NULL, ts, file, line,
                         xprintf(d, "parameter %zu '%s' (%s) added%s", i + 1, name, ts, shift ? shift : ""));
        } else {
            uint32_t ci = iface_change(
                d, f, AG_CK_FN_PARAM_REMOVED, subject, ts, NULL, file, line,
                xprintf(d, "parameter %zu '%s' (%s) removed%s%s", i + 1, name, ts,
                        trailing ? " at the end, the others unchanged: old callers still pass it and clean it up "
                                   "themselves, the function never reads it; source passing it no longer compiles"
                                 : "",
                        shift ? shift : ""));
            if (trailing)
                set_verdict(d, ci, AG_VERDICT_API_BREAK);
        }
        free(shift);
    }
    free(paired);
    free(pos);
    if (a->variadic != b->variadic)
        iface_change(d, f, AG_CK_FN_VARIADIC_CHANGED, subject, a->variadic ? "variadic" : "fixed",
                     b->variadic ? "variadic" : "fixed", file, line, NULL);
    if (a->calling_convention != b->calling_convention)
        iface_change(d, f, AG_CK_FN_CALLING_CONVENTION_CHANGED, subject, NULL, NULL, file, line,
                     xprintf(d, "DW_AT_calling_convention %u -> %u", a->calling_convention,
                             b->calling_convention));
    free(subject);
}

static void compare_variable(differ *d, iface *f, const ag_variable *a, const ag_variable *b)
{
    const char *file = b->decl_file ? b->decl_file : a->decl_file;
    uint32_t line = b->decl_file ? b->decl_line : a->decl_line;
    slot s = iface_slot(f, SLOT_VARIABLE, a->name, a->name, file, line);
    compare_slot(d, &s, a->type, b->type, false, false);
}

/* ------------------------------------------------------------------ */
/* Phase 2: attribution                                                 */

/* Marks nodes from which some change is reachable (fixpoint over cycles). */
static void mark_changed_subtrees(differ *d)
{
    for (size_t i = 0; i < d->n_nodes; i++)
        d->nodes[i].subtree_changed = d->nodes[i].n_changes > 0;
    bool again = true;
    while (again && spend(d, d->n_nodes + 1)) {
        again = false;
        for (size_t i = 0; i < d->n_nodes; i++) {
            node *nd = &d->nodes[i];
            if (nd->subtree_changed)
                continue;
            for (size_t e = 0; e < nd->n_edges; e++)
                if (d->nodes[nd->edges[e].to].subtree_changed) {
                    nd->subtree_changed = true;
                    again = true;
                    break;
                }
        }
    }
}

/* The breadth-first walk from one root (an interface, or a public type no
   interface names). Each item is a node reached along some path. Whether a
   node's layout is visible to callers decides whether its changes count:
   a public type always is; a private one only when it is reached by value
   from something whose layout callers see (the interface itself, or an
   embedding struct or union that is visible) — a typedef passes on how it
   was reached. A private type reached only through pointers is opaque. */
typedef struct walk_item {
    uint32_t node;
    uint32_t parent;       /* index into the walk array, UINT32_MAX for roots */
    const edge *via;
    bool by_value;         /* no pointer at all between the root and here */
    bool pointer;          /* a pointer since the last visible container (or the root) */
    bool via_callback;
} walk_item;

typedef struct walker {
    walk_item *items;
    size_t n, cap;
    unsigned char *level;  /* per node: how well this walk reached it (reach_level), 0 not yet */
    const char *root_name; /* the interface (or public header) the walk is for */
    bool only_unreached;   /* public-type roots: attribute only what no interface reached */
} walker;

/* opaque 1 < visible through a pointer 2 < visible, no pointer since its
   container 3 < by value from the root 4: a node is walked again only when
   reached better, so each node is walked at most four times per root. */
static unsigned char reach_level(bool visible, bool pointer, bool by_value)
{
    return !visible ? 1 : by_value ? 4 : pointer ? 2 : 3;
}

/* Marks an opaque node and everything only it leads to as left out: their
   changes are listed as private unless some visible path reaches them. */
static void mark_opaque(differ *d, uint32_t ni)
{
    if (d->nodes[ni].opaque)
        return;
    uint32_t *stack = malloc(d->n_nodes * sizeof *stack);
    if (!stack) {
        oom(d);
        return;
    }
    size_t sp = 0;
    d->nodes[ni].opaque = true;
    stack[sp++] = ni;
    while (sp) {
        node *nd = &d->nodes[stack[--sp]];
        for (size_t e = 0; e < nd->n_edges; e++) {
            node *to = &d->nodes[nd->edges[e].to];
            if (!to->opaque && to->subtree_changed) {
                to->opaque = true;
                stack[sp++] = nd->edges[e].to;
            }
        }
    }
    free(stack);
}

static bool is_ancestor(const walker *w, uint32_t parent, uint32_t node_index)
{
    for (uint32_t i = parent; i != UINT32_MAX; i = w->items[i].parent)
        if (w->items[i].node == node_index)
            return true;
    return false;
}

static void walk_push(differ *d, walker *w, const edge *via, uint32_t parent, bool by_value, bool pointer,
                      bool via_callback)
{
    node *nd = &d->nodes[via->to];
    if (!nd->subtree_changed)
        return;
    bool visible = nd->public_type || !pointer;
    unsigned char level = reach_level(visible, pointer, by_value);
    if (w->level[via->to] >= level || is_ancestor(w, parent, via->to))
        return;
    w->level[via->to] = level;
    if (!visible) {
        mark_opaque(d, via->to);
        return;
    }
    if (!grow((void **)&w->items, &w->cap, w->n, sizeof *w->items)) {
        oom(d);
        return;
    }
    w->items[w->n++] = (walk_item){ via->to, parent, via, by_value, pointer, via_callback };
}

/* "ctx_init() param 1 -> struct ctx -> member p -> struct point". A step
   that only names the same type again (a typedef's target that is the
   anonymous struct the typedef names) is left out. A path of more than
   PATH_SHOWN steps (thousands of typedefs in a row) keeps its first and
   last PATH_SHOWN / 2 and says how many are left out between them. */
#define PATH_SHOWN 64

static bool path_put(char **buf, size_t *len, size_t *cap, const char *part)
{
    size_t need = *len + strlen(part) + 8;
    if (need > *cap) {
        size_t ncap = *cap;
        while (ncap < need)
            ncap *= 2;
        char *b = realloc(*buf, ncap);
        if (!b)
            return false;
        *buf = b;
        *cap = ncap;
    }
    *len += (size_t)sprintf(*buf + *len, "%s%s", *len ? " -> " : "", part);
    return true;
}

static char *walk_path(differ *d, const walker *w, uint32_t at)
{
    /* The steps back to the root, forwards, without repeated names. */
    size_t n = 0;
    for (uint32_t i = at; i != UINT32_MAX; i = w->items[i].parent)
        n++;
    uint32_t *steps = malloc((n ? n : 1) * sizeof *steps);
    size_t cap = 256, len = 0;
    char *buf = malloc(cap);
    if (!steps || !buf) {
        free(steps);
        free(buf);
        oom(d);
        return NULL;
    }
    size_t k = n;
    for (uint32_t i = at; i != UINT32_MAX; i = w->items[i].parent)
        steps[--k] = i;
    size_t kept = 0;
    const char *prev_name = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *name = d->nodes[w->items[steps[i]].node].name;
        if (prev_name && strcmp(prev_name, name) == 0)
            continue;
        prev_name = name;
        steps[kept++] = steps[i];
    }
    buf[0] = '\0';
    bool ok_so_far = true;
    for (size_t i = 0; i < kept && ok_so_far; i++) {
        if (kept > PATH_SHOWN && i == PATH_SHOWN / 2) {
            char skipped[64];
            snprintf(skipped, sizeof skipped, "(%zu more steps)", kept - PATH_SHOWN);
            ok_so_far = path_put(&buf, &len, &cap, skipped);
            i = kept - PATH_SHOWN / 2 - 1;
            continue;
        }
        const walk_item *it = &w->items[steps[i]];
        ok_so_far = path_put(&buf, &len, &cap, it->via->label) &&
                    path_put(&buf, &len, &cap, d->nodes[it->node].name);
    }
    free(steps);
    if (!ok_so_far) {
        free(buf);
        oom(d);
        return NULL;
    }
    return buf;
}

/* Gives the changes of the visible node at items[head] this walk's root. */
static void attribute_item(differ *d, walker *w, size_t head)
{
    walk_item it = w->items[head];
    node *nd = &d->nodes[it.node];
    if (!nd->n_changes)
        return;
    char *path = NULL;
    for (size_t c = 0; c < nd->n_changes && ok(d); c++) {
        change_rec *r = &d->changes[nd->changes[c]];
        if (w->only_unreached && r->reached && !r->reached_by_root)
            continue;
        if (!path && !(path = walk_path(d, w, (uint32_t)head)))
            return;
        add_impact(d, r, w->root_name, path);
        r->reached = true;
        r->reached_by_root = w->only_unreached;
        if (it.by_value)
            r->reached_by_value = true;
        if (it.via_callback)
            r->c.upcall = true;
    }
    free(path);
}

/* Walks from the root edges, attributing every visible change they reach. */
static void walk_from(differ *d, walker *w, const edge *roots, size_t n_roots)
{
    w->n = 0;
    memset(w->level, 0, d->n_nodes);
    for (size_t e = 0; e < n_roots && ok(d); e++)
        walk_push(d, w, &roots[e], UINT32_MAX, !roots[e].through_pointer, roots[e].through_pointer,
                  roots[e].through_callback);
    for (size_t head = 0; head < w->n && spend(d, 1); head++) {
        /* An impact (with its path) costs more than a step. */
        if (!spend(d, 4 * d->nodes[w->items[head].node].n_changes + d->nodes[w->items[head].node].n_edges))
            break;
        attribute_item(d, w, head);
        walk_item it = w->items[head];
        const node *nd = &d->nodes[it.node];
        const ag_type *ty = ot(d, nd->o);
        bool typedef_node = ty && ty->kind == AG_T_TYPEDEF;
        for (size_t e = 0; e < nd->n_edges && ok(d); e++) {
            const edge *ed = &d->nodes[it.node].edges[e];
            /* A struct or union resets "through a pointer" for what it
               embeds; a typedef is only a name for its target. */
            bool pointer = ed->through_pointer || (typedef_node && it.pointer);
            walk_push(d, w, ed, (uint32_t)head, it.by_value && !ed->through_pointer, pointer,
                      it.via_callback || ed->through_callback);
        }
    }
}

static void attribute_interface(differ *d, const iface *f, walker *w)
{
    if (f->internal) {
        /* not the callers' interface: its own changes are left out, and it
           leads nowhere (what only it reaches is no caller's business) */
        for (size_t i = 0; i < f->n_changes; i++)
            d->changes[f->changes[i]].internal_export = true;
        return;
    }
    for (size_t i = 0; i < f->n_changes; i++) {
        change_rec *r = &d->changes[f->changes[i]];
        add_impact(d, r, f->name, r->c.subject);
        r->reached = true;
    }
    w->root_name = f->name;
    w->only_unreached = false;
    walk_from(d, w, f->edges, f->n_edges);
}

/* ------------------------------------------------------------------ */
/* Output                                                               */

/* Most severe first; within a verdict, what reaches the most interfaces
   first, so one real break in a release shows on the first screen. */
static int cmp_changes(const void *pa, const void *pb)
{
    const ag_change *a = pa, *b = pb;
    if (a->verdict != b->verdict)
        return (int)b->verdict - (int)a->verdict;
    if (a->n_impacts != b->n_impacts)
        return a->n_impacts > b->n_impacts ? -1 : 1;
    int s = strcmp(a->subject ? a->subject : "", b->subject ? b->subject : "");
    if (s)
        return s;
    return strcmp(ag_change_kind_info_of(a->kind)->id, ag_change_kind_info_of(b->kind)->id);
}

static void free_change(ag_change *c)
{
    free(c->subject);
    free(c->old_value);
    free(c->new_value);
    free(c->detail);
    free(c->decl_file);
    for (size_t i = 0; i < c->n_impacts; i++) {
        free(c->impacts[i].interface);
        free(c->impacts[i].path);
    }
    free(c->impacts);
}

static size_t path_steps(const char *path)
{
    size_t n = 0;
    for (const char *p = path ? strstr(path, " -> ") : NULL; p; p = strstr(p + 4, " -> "))
        n++;
    return n;
}

/* Shortest path first (an interface that names the type directly before
   one that reaches it through five structs), then by interface name. */
static int cmp_impacts(const void *pa, const void *pb)
{
    const ag_impact *a = pa, *b = pb;
    size_t sa = path_steps(a->path), sb = path_steps(b->path);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    return strcmp(a->interface, b->interface);
}

static bool same_str(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* Entries that say exactly the same thing (kind, subject, values, detail)
   become one, with the impacts of all. out is sorted, so they share a run
   of equal verdict, subject and kind. */
static void merge_identical(differ *d, ag_diff *out)
{
    size_t n = 0;
    for (size_t i = 0; i < out->n_changes; i++) {
        ag_change *c = &out->changes[i];
        ag_change *same = NULL;
        for (size_t k = n; k-- > 0;) {
            ag_change *p = &out->changes[k];
            if (p->verdict != c->verdict || p->kind != c->kind || !same_str(p->subject, c->subject))
                break;
            if (same_str(p->old_value, c->old_value) && same_str(p->new_value, c->new_value) &&
                same_str(p->detail, c->detail)) {
                same = p;
                break;
            }
        }
        if (!same) {
            out->changes[n++] = *c;
            continue;
        }
        change_rec tmp = { .c = *same, .cap_impacts = same->n_impacts };
        for (size_t j = 0; j < c->n_impacts; j++)
            add_impact(d, &tmp, c->impacts[j].interface, c->impacts[j].path);
        *same = tmp.c;
        same->upcall = same->upcall || c->upcall;
        if (same->n_impacts > 1)
            qsort(same->impacts, same->n_impacts, sizeof *same->impacts, cmp_impacts);
        free_change(c);
    }
    out->n_changes = n;
}

/* A size, alignment or appended member of a type: breaking where code
   built against the old layout allocates, embeds or copies it. Reached by
   value from an interface, the library itself does. A complete type whose
   definition is public is one any caller can put on its stack, embed or
   copy, and a library that fills a caller's struct writes past an old
   caller's buffer: breaking too. Only when the binding is known (`check`,
   opts->binding_view) is a type it holds only through pointers, and
   nowhere by value in its own code, risky. */
static ag_verdict size_verdict(const differ *d, const change_rec *r)
{
    if (r->reached_by_value)
        return AG_VERDICT_BREAKING;
    const node *nd = r->node < d->n_nodes ? &d->nodes[r->node] : NULL;
    const ag_diff_options *o = d->opts;
    if (o && o->binding_view) {
        for (size_t i = 0; nd && i < o->n_by_value_types; i++)
            if (strcmp(o->by_value_types[i], nd->name) == 0)
                return AG_VERDICT_BREAKING;
        return AG_VERDICT_RISKY;
    }
    return nd && nd->public_type ? AG_VERDICT_BREAKING : AG_VERDICT_RISKY;
}

static void finish(differ *d, ag_diff *out)
{
    out->changes = calloc(d->n_changes ? d->n_changes : 1, sizeof *out->changes);
    out->private_changes = calloc(d->n_changes ? d->n_changes : 1, sizeof *out->private_changes);
    if (!out->changes || !out->private_changes) {
        oom(d);
        return;
    }
    /* Changes inside opaque nodes that no visible path reached. */
    for (size_t i = 0; i < d->n_nodes; i++)
        for (size_t c = 0; d->nodes[i].opaque && c < d->nodes[i].n_changes; c++)
            d->changes[d->nodes[i].changes[c]].left_out = true;
    for (size_t i = 0; i < d->n_changes; i++) {
        change_rec *r = &d->changes[i];
        if (r->internal_export) {
            out->private_changes[out->n_private_listed++] = r->c;
            continue;
        }
        if (r->needs_impact && !r->reached) {
            if (r->left_out) {
                if (r->size_refinable) /* opaque: reached through pointers only */
                    r->c.verdict = AG_VERDICT_RISKY;
                out->private_changes[out->n_private_listed++] = r->c;
            }
            else
                free_change(&r->c);
            continue;
        }
        if (r->size_refinable)
            r->c.verdict = size_verdict(d, r);
        if (r->c.n_impacts > 1)
            qsort(r->c.impacts, r->c.n_impacts, sizeof *r->c.impacts, cmp_impacts);
        out->changes[out->n_changes++] = r->c;
    }
    d->n_changes = 0;
    if (out->n_changes > 1)
        qsort(out->changes, out->n_changes, sizeof *out->changes, cmp_changes);
    merge_identical(d, out);
    out->n_private_changes = out->n_private_listed;
    if (out->n_private_listed > 1)
        qsort(out->private_changes, out->n_private_listed, sizeof *out->private_changes, cmp_changes);
    for (size_t i = 0; i < out->n_changes; i++)
        out->counts[out->changes[i].verdict]++;
}

static int cmp_private_type(const void *pa, const void *pb)
{
    const ag_private_type *a = pa, *b = pb;
    return strcmp(a->name, b->name);
}

static uint64_t name_hash(const char *name);

/* The private types of both sides by spelled name (the new side's when
   both have one), for --show-private. */
static void list_private_types(differ *d, ag_diff *out)
{
    size_t cap = d->o->n_types + d->n->n_types + 1;
    out->private_types = calloc(cap, sizeof *out->private_types);
    ag_u64map seen;
    if (!out->private_types || !ag_u64map_init(&seen, cap)) {
        oom(d);
        return;
    }
    const ag_corpus *sides[2] = { d->n, d->o };
    const ag_visibility *vis[2] = { d->vis_n, d->vis_o };
    for (int s = 0; s < 2 && ok(d); s++) {
        for (size_t i = 0; i < sides[s]->n_types && ok(d); i++) {
            const ag_type *t = &sides[s]->types[i];
            if (vis[s][i] == AG_VIS_PUBLIC || !t->name)
                continue;
            char buf[512];
            spell(sides[s], (ag_type_ref)i, buf, sizeof buf);
            uint32_t unused;
            if (ag_u64map_get(&seen, name_hash(buf), &unused))
                continue;
            if (!ag_u64map_put(&seen, name_hash(buf), 1)) {
                oom(d);
                break;
            }
            ag_private_type *p = &out->private_types[out->n_private_types++];
            p->name = xstrdup(d, buf);
            p->decl_file = xstrdup(d, t->decl_file);
            p->reason = vis[s][i];
        }
    }
    ag_u64map_free(&seen);
    if (ok(d) && out->n_private_types > 1)
        qsort(out->private_types, out->n_private_types, sizeof *out->private_types, cmp_private_type);
}

static uint64_t name_hash(const char *name)
{
    ag_hasher hs;
    ag_hash_init(&hs);
    ag_hash_str(&hs, name);
    return ag_hash_final(&hs);
}

/* An interface is changed when some change names it as impacted. */
static void count_changed_interfaces(differ *d, ag_diff *out)
{
    ag_u64map impacted;
    if (!ag_u64map_init(&impacted, 64)) {
        oom(d);
        return;
    }
    for (size_t c = 0; c < out->n_changes; c++)
        for (size_t k = 0; k < out->changes[c].n_impacts; k++)
            if (!ag_u64map_put(&impacted, name_hash(out->changes[c].impacts[k].interface), 1)) {
                oom(d);
                ag_u64map_free(&impacted);
                return;
            }
    uint32_t unused;
    for (size_t i = 0; i < d->o->n_functions; i++)
        out->functions_changed += ag_u64map_get(&impacted, name_hash(d->o->functions[i].name), &unused);
    for (size_t i = 0; i < d->o->n_variables; i++)
        out->variables_changed += ag_u64map_get(&impacted, name_hash(d->o->variables[i].name), &unused);
    ag_u64map_free(&impacted);
}

static void free_iface(iface *f)
{
    free(f->name);
    free(f->changes);
    for (size_t e = 0; e < f->n_edges; e++)
        free(f->edges[e].label);
    free(f->edges);
}

static void release(differ *d)
{
    for (size_t i = 0; i < d->n_nodes; i++) {
        node *nd = &d->nodes[i];
        free(nd->name);
        for (size_t e = 0; e < nd->n_edges; e++)
            free(nd->edges[e].label);
        free(nd->edges);
        free(nd->changes);
    }
    free(d->nodes);
    for (size_t i = 0; i < d->n_changes; i++)
        free_change(&d->changes[i].c);
    free(d->changes);
    ag_u64map_free(&d->node_of_pair);
    for (int side = 0; side < 2; side++) {
        free(d->align[side]);
        free(d->align_state[side]);
        free(d->align_stack[side]);
        free(d->align_next[side]);
    }
}

/* Compares every function and variable present (with DWARF) on both sides. */
static void compare_interfaces(differ *d, iface **out, size_t *n_out)
{
    size_t cap = d->o->n_functions + d->o->n_variables + 1;
    iface *list = calloc(cap, sizeof *list);
    size_t n = 0;
    if (!list) {
        oom(d);
        return;
    }
    for (size_t i = 0; i < d->o->n_functions && spend(d, 1 + d->o->functions[i].n_params); i++) {
        const ag_function *a = &d->o->functions[i];
        const ag_function *b = ag_corpus_find_function(d->n, a->name);
        if (!b)
            continue;
        iface *f = &list[n++];
        f->name = xstrdup(d, a->name);
        f->internal = a->is_internal;
        compare_function(d, f, a, b);
        compare_pending_nodes(d);
    }
    for (size_t i = 0; i < d->o->n_variables && spend(d, 1); i++) {
        const ag_variable *a = &d->o->variables[i];
        const ag_variable *b = ag_corpus_find_variable(d->n, a->name);
        if (!b)
            continue;
        iface *f = &list[n++];
        f->name = xstrdup(d, a->name);
        f->internal = a->is_internal;
        compare_variable(d, f, a, b);
        compare_pending_nodes(d);
    }
    *out = list;
    *n_out = n;
}

/* A public type no exported signature names (an enum whose values a
   function returns as int, a struct only macros touch) is API all the same
   when the headers are known: each one present on both sides is compared
   and walked from as a root of its own, named after its header. */
typedef struct public_root {
    edge e;               /* to the type's node, "through a pointer": nothing holds it by value */
    char *header;         /* "png.h" */
} public_root;

static uint64_t kind_name_key(ag_type_kind kind, const char *name)
{
    ag_hasher hs;
    ag_hash_init(&hs);
    ag_hash_u64(&hs, (uint64_t)kind);
    ag_hash_str(&hs, name);
    return ag_hash_final(&hs);
}

/* An anonymous enum is known by its enumerators: the first of the old
   one's names that the new side has in an anonymous enum finds it. */
static uint64_t enumerator_key(const char *name)
{
    return kind_name_key(AG_T__COUNT, name);
}

static void compare_public_types(differ *d, public_root **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!d->o->surface.recorded || !d->n->surface.recorded || !d->o->has_debug_info || !d->n->has_debug_info)
        return;
    ag_u64map by_name;
    public_root *roots = calloc(d->o->n_types + 1, sizeof *roots);
    if (!roots || !ag_u64map_init(&by_name, d->n->n_types + 1)) {
        free(roots);
        oom(d);
        return;
    }
    for (size_t i = 0; i < d->n->n_types; i++) {
        const ag_type *t = &d->n->types[i];
        bool ok_put = true;
        if (!ag_surface_kind_has_definition(t->kind))
            continue;
        if (t->name && !(t->declaration_only && ag_u64map_get(&by_name, kind_name_key(t->kind, t->name), &(uint32_t){ 0 })))
            ok_put = ag_u64map_put(&by_name, kind_name_key(t->kind, t->name), (uint32_t)i);
        for (size_t k = 0; !t->name && t->kind == AG_T_ENUM && k < t->n_enumerators && ok_put; k++)
            if (t->enumerators[k].name)
                ok_put = ag_u64map_put(&by_name, enumerator_key(t->enumerators[k].name), (uint32_t)i);
        if (!ok_put) {
            oom(d);
            break;
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < d->o->n_types && ok(d); i++) {
        const ag_type *a = &d->o->types[i];
        if (!ag_surface_kind_has_definition(a->kind) || (!a->name && a->kind != AG_T_ENUM))
            continue;
        uint32_t j = UINT32_MAX;
        if (a->name)
            ag_u64map_get(&by_name, kind_name_key(a->kind, a->name), &j);
        else if (a->n_enumerators && a->enumerators[0].name)
            ag_u64map_get(&by_name, enumerator_key(a->enumerators[0].name), &j);
        if (j == UINT32_MAX || !pair_is_public(d, (ag_type_ref)i, j))
            continue;
        char hint[300];
        if (!a->name) {
            snprintf(hint, sizeof hint, "enum {%s%s}", a->enumerators[0].name, a->n_enumerators > 1 ? ", ..." : "");
            d->anon_hint = hint;
            d->anon_hint_is_member = false;
        }
        uint32_t ni = node_for(d, (ag_type_ref)i, j);
        d->anon_hint = NULL;
        if (ni == UINT32_MAX)
            break;
        compare_pending_nodes(d);
        const ag_type *b = &d->n->types[j];
        const char *file = b->decl_file ? b->decl_file : a->decl_file ? a->decl_file : "?";
        const char *slash = strrchr(file, '/');
        public_root *r = &roots[n++];
        r->header = xstrdup(d, slash ? slash + 1 : file);
        r->e = (edge){ .to = ni, .through_pointer = true };
        r->e.label = xprintf(d, "public header %s", r->header ? r->header : "?");
    }
    ag_u64map_free(&by_name);
    *out = roots;
    *n_out = n;
}

static void attribute_public_type(differ *d, const public_root *r, walker *w)
{
    w->root_name = r->header;
    w->only_unreached = true;
    walk_from(d, w, &r->e, 1);
}

ag_status ag_diff_corpora(const ag_corpus *old_c, const ag_corpus *new_c,
                          const ag_diff_options *opts, ag_diff **out, ag_error *err)
{
    *out = NULL;
    differ d = { .o = old_c, .n = new_c, .opts = opts, .err = err };
    ag_diff *res = calloc(1, sizeof *res);
    if (!res || !ag_u64map_init(&d.node_of_pair, 256)) {
        free(res);
        return ag_fail(err, AG_ERR_NOMEM, "out of memory");
    }
    d.vis_o = calloc(old_c->n_types + 1, sizeof *d.vis_o);
    d.vis_n = calloc(new_c->n_types + 1, sizeof *d.vis_n);
    if (!d.vis_o || !d.vis_n)
        oom(&d);
    if (ok(&d) && (ag_surface_classify(old_c, d.vis_o, &res->surface_old, err) != AG_OK ||
                   ag_surface_classify(new_c, d.vis_n, &res->surface_new, err) != AG_OK))
        d.st = AG_ERR_NOMEM;
    compare_elf(&d);
    compare_symbols(&d, res);
    iface *ifaces = NULL;
    size_t n_ifaces = 0;
    public_root *roots = NULL;
    size_t n_roots = 0;
    if (ok(&d) && old_c->has_debug_info && new_c->has_debug_info)
        compare_interfaces(&d, &ifaces, &n_ifaces);
    if (ok(&d))
        compare_public_types(&d, &roots, &n_roots);
    if (ok(&d)) {
        mark_changed_subtrees(&d);
        walker w = { .level = malloc(d.n_nodes + 1) };
        if (!w.level)
            oom(&d);
        for (size_t i = 0; i < n_ifaces && spend(&d, 1 + d.n_nodes / 64); i++)
            attribute_interface(&d, &ifaces[i], &w);
        for (size_t i = 0; i < n_roots && spend(&d, 1 + d.n_nodes / 64); i++)
            attribute_public_type(&d, &roots[i], &w);
        free(w.items);
        free(w.level);
    }
    for (size_t i = 0; i < n_ifaces; i++)
        free_iface(&ifaces[i]);
    free(ifaces);
    for (size_t i = 0; i < n_roots; i++) {
        free(roots[i].header);
        free(roots[i].e.label);
    }
    free(roots);
    if (ok(&d))
        finish(&d, res);
    if (ok(&d))
        list_private_types(&d, res);
    if (ok(&d))
        count_changed_interfaces(&d, res);
    if (ok(&d) && opts && opts->n_suppressions)
        ag_diff_apply_suppressions(res, opts->suppressions, opts->n_suppressions);
    ag_status st = d.st;
    release(&d);
    free(d.vis_o);
    free(d.vis_n);
    if (st != AG_OK) {
        ag_diff_free(res);
        return st;
    }
    *out = res;
    return AG_OK;
}

void ag_diff_free(ag_diff *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n_changes; i++)
        free_change(&d->changes[i]);
    free(d->changes);
    for (size_t i = 0; i < d->n_private_listed; i++)
        free_change(&d->private_changes[i]);
    free(d->private_changes);
    for (size_t i = 0; i < d->n_private_types; i++) {
        free(d->private_types[i].name);
        free(d->private_types[i].decl_file);
    }
    free(d->private_types);
    free(d);
}

ag_verdict ag_diff_overall(const ag_diff *d)
{
    for (int v = AG_VERDICT__COUNT - 1; v > AG_VERDICT_NONE; v--)
        if (d->counts[v])
            return (ag_verdict)v;
    return AG_VERDICT_NONE;
}

int ag_diff_exit_status(const ag_diff *d, ag_verdict fail_on)
{
    if (fail_on == AG_VERDICT_NONE)
        fail_on = AG_VERDICT_BREAKING;
    ag_verdict overall = ag_diff_overall(d);
    /* Severity order puts api-break above risky; --fail-on risky means
       "risky or anything worse". */
    if (overall != AG_VERDICT_NONE && overall >= fail_on)
        return 12;
    /* Like abidiff, which does not count harmless changes: a diff whose
       changes are all harmless (a parameter renamed, const added to a
       pointee) is no ABI change for the exit status. */
    return overall >= AG_VERDICT_COMPATIBLE ? 4 : 0;
}
