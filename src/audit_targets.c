/*
 * audit_targets.c — the data the audit judges by (audit.h): the targets
 * (libc flavour and version, and what their libstdc++ provides), the
 * libraries a target's system is known to have (the manylinux / musllinux
 * policies' lists, a distribution's base libraries), CPython's Stable ABI
 * and the Node-API version of each napi_ function. Tables, not code: a new
 * distribution release is one row.
 *
 * The Stable ABI list holds the names CPython 3.11's headers declare with
 * Py_LIMITED_API=0x030b0000 (with and without PY_SSIZE_T_CLEAN); the
 * Node-API table the version guard (NAPI_VERSION >= N) each function is
 * declared under in Node's js_native_api.h and node_api.h, 0 for those
 * only declared under NAPI_EXPERIMENTAL.
 */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct distro_row {
    const char *name;       /* "debian:12" */
    ag_libc libc;
    int major, minor;
    const char *glibcxx_max, *cxxabi_max;
} distro_row;

/* glibc (musl) and libstdc++ of each release as shipped. */
static const distro_row distros[] = {
    { "debian:9", AG_LIBC_GLIBC, 2, 24, "3.4.22", "1.3.10" },
    { "debian:10", AG_LIBC_GLIBC, 2, 28, "3.4.25", "1.3.11" },
    { "debian:11", AG_LIBC_GLIBC, 2, 31, "3.4.28", "1.3.12" },
    { "debian:12", AG_LIBC_GLIBC, 2, 36, "3.4.30", "1.3.13" },
    { "debian:13", AG_LIBC_GLIBC, 2, 41, "3.4.33", "1.3.15" },
    { "ubuntu:18.04", AG_LIBC_GLIBC, 2, 27, "3.4.25", "1.3.11" },
    { "ubuntu:20.04", AG_LIBC_GLIBC, 2, 31, "3.4.28", "1.3.12" },
    { "ubuntu:22.04", AG_LIBC_GLIBC, 2, 35, "3.4.30", "1.3.13" },
    { "ubuntu:24.04", AG_LIBC_GLIBC, 2, 39, "3.4.33", "1.3.15" },
    { "rhel:7", AG_LIBC_GLIBC, 2, 17, "3.4.19", "1.3.7" },
    { "rhel:8", AG_LIBC_GLIBC, 2, 28, "3.4.25", "1.3.11" },
    { "rhel:9", AG_LIBC_GLIBC, 2, 34, "3.4.29", "1.3.13" },
    { "alpine:3.16", AG_LIBC_MUSL, 1, 2, "3.4.30", "1.3.13" },
    { "alpine:3.17", AG_LIBC_MUSL, 1, 2, "3.4.30", "1.3.13" },
    { "alpine:3.18", AG_LIBC_MUSL, 1, 2, "3.4.31", "1.3.14" },
    { "alpine:3.19", AG_LIBC_MUSL, 1, 2, "3.4.32", "1.3.14" },
    { "alpine:3.20", AG_LIBC_MUSL, 1, 2, "3.4.33", "1.3.15" },
    { "alpine:3.21", AG_LIBC_MUSL, 1, 2, "3.4.33", "1.3.15" },
};

/* The manylinux policies' libstdc++ ceilings (PEP 600 policies as
   auditwheel ships them), by glibc minor. */
static const struct { int minor; const char *glibcxx, *cxxabi; } manylinux_cxx[] = {
    { 5, "3.4.9", "1.3.1" },   { 12, "3.4.13", "1.3.3" }, { 17, "3.4.19", "1.3.7" },
    { 24, "3.4.22", "1.3.10" }, { 28, "3.4.24", "1.3.11" }, { 31, "3.4.28", "1.3.12" },
    { 34, "3.4.29", "1.3.13" }, { 35, "3.4.30", "1.3.13" },
};

/* What every manylinux system has (the policy's library whitelist). */
static const char *const manylinux_libs[] = {
    "libgcc_s.so.1", "libstdc++.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libc.so.6",
    "libnsl.so.1", "libutil.so.1", "libpthread.so.0", "libresolv.so.2", "libX11.so.6",
    "libXext.so.6", "libXrender.so.1", "libICE.so.6", "libSM.so.6", "libGL.so.1",
    "libgobject-2.0.so.0", "libgthread-2.0.so.0", "libglib-2.0.so.0",
    "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "ld-linux.so.2", "ld64.so.2", "ld64.so.1",
    "ld-linux-armhf.so.3", "ld-linux-riscv64-lp64d.so.1",
};

/* What every musllinux system has. */
static const char *const musllinux_libs[] = {
    "libc.so", "libgcc_s.so.1", "libstdc++.so.6",
    "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1", "libc.musl-x86.so.1", "libc.musl-armhf.so.1",
    "libc.musl-ppc64le.so.1", "libc.musl-s390x.so.1", "libc.musl-riscv64.so.1",
    "ld-musl-x86_64.so.1", "ld-musl-aarch64.so.1",
};

/* A distribution's base system: the C library, its loader and the GCC
   runtime, present on any installation. */
static const char *const glibc_base_libs[] = {
    "libc.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libpthread.so.0", "libresolv.so.2",
    "libutil.so.1", "libgcc_s.so.1", "libstdc++.so.6", "libanl.so.1",
    "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "ld-linux.so.2", "ld64.so.2", "ld64.so.1",
    "ld-linux-armhf.so.3", "ld-linux-riscv64-lp64d.so.1",
};

static bool in_list(const char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

bool ag_target_allows_library(const ag_target *t, const char *soname)
{
    if (t->libc == AG_LIBC_MUSL)
        return in_list(musllinux_libs, COUNT(musllinux_libs), soname);
    if (t->policy)
        return in_list(manylinux_libs, COUNT(manylinux_libs), soname);
    return in_list(glibc_base_libs, COUNT(glibc_base_libs), soname) ||
           (t->libc == AG_LIBC_ANY && in_list(musllinux_libs, COUNT(musllinux_libs), soname));
}

static const char *const arch_suffixes[][2] = {
    { "_x86_64", "x86_64" }, { "_aarch64", "aarch64" }, { "_i686", "i386" }, { "_armv7l", "arm" },
    { "_ppc64le", "ppc64" }, { "_s390x", "s390x" }, { "_riscv64", "riscv" },
};

/* Splits a trailing "_ARCH" off spec into t->arch; returns spec's length without it. */
static size_t take_arch(const char *spec, ag_target *t)
{
    size_t n = strlen(spec);
    for (size_t i = 0; i < COUNT(arch_suffixes); i++) {
        size_t k = strlen(arch_suffixes[i][0]);
        if (n > k && strcmp(spec + n - k, arch_suffixes[i][0]) == 0) {
            snprintf(t->arch, sizeof t->arch, "%s", arch_suffixes[i][1]);
            return n - k;
        }
    }
    return n;
}

const char *ag_target_known_list(void)
{
    static char buf[1024];
    if (!buf[0]) {
        size_t used = 0;
        for (size_t i = 0; i < COUNT(distros) && used + 32 < sizeof buf; i++)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s", i ? ", " : "", distros[i].name);
    }
    return buf;
}

ag_status ag_target_parse(const char *spec, ag_target *t, ag_error *err)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", spec);
    char alias[64];
    const char *s = spec;
    if (strncmp(spec, "centos:", 7) == 0 || strncmp(spec, "rocky:", 6) == 0 || strncmp(spec, "almalinux:", 10) == 0) {
        snprintf(alias, sizeof alias, "rhel:%s", strchr(spec, ':') + 1);
        s = alias;
    }
    for (size_t i = 0; i < COUNT(distros); i++)
        if (strcmp(distros[i].name, s) == 0) {
            t->libc = distros[i].libc;
            t->libc_major = distros[i].major;
            t->libc_minor = distros[i].minor;
            t->glibcxx_max = distros[i].glibcxx_max;
            t->cxxabi_max = distros[i].cxxabi_max;
            return AG_OK;
        }
    char head[80];
    size_t n = take_arch(s, t);
    if (n >= sizeof head)
        return ag_fail(err, AG_ERR_USAGE, "unknown target '%s'", spec);
    memcpy(head, s, n);
    head[n] = '\0';
    int major = 0, minor = 0, used = 0;
    if (strcmp(head, "manylinux2014") == 0 || strcmp(head, "manylinux2010") == 0 || strcmp(head, "manylinux1") == 0) {
        major = 2;
        minor = head[10] == '2' ? (head[12] == '1' && head[13] == '4' ? 17 : 12) : 5;
        t->libc = AG_LIBC_GLIBC;
        t->policy = true;
    } else if (sscanf(head, "manylinux_%d_%d%n", &major, &minor, &used) == 2 && head[used] == '\0') {
        t->libc = AG_LIBC_GLIBC;
        t->policy = true;
    } else if (sscanf(head, "musllinux_%d_%d%n", &major, &minor, &used) == 2 && head[used] == '\0') {
        t->libc = AG_LIBC_MUSL;
        t->policy = true;
    } else if (strcmp(head, "linux") == 0) {
        t->libc = AG_LIBC_ANY;
    } else {
        return ag_fail(err, AG_ERR_USAGE,
                       "unknown target '%s' (known: manylinux_X_Y[_ARCH], manylinux2014, musllinux_X_Y[_ARCH], "
                       "linux[_ARCH], %s)", spec, ag_target_known_list());
    }
    t->libc_major = major;
    t->libc_minor = minor;
    if (t->libc == AG_LIBC_GLIBC)
        for (size_t i = 0; i < COUNT(manylinux_cxx); i++)
            if (manylinux_cxx[i].minor <= minor) {
                t->glibcxx_max = manylinux_cxx[i].glibcxx;
                t->cxxabi_max = manylinux_cxx[i].cxxabi;
            }
    return AG_OK;
}

static const struct { const char *name; int version; } napi_functions[] = {
    { "napi_acquire_threadsafe_function", 4 },
    { "napi_add_async_cleanup_hook", 8 },
    { "napi_add_env_cleanup_hook", 3 },
    { "napi_add_finalizer", 5 },
    { "napi_adjust_external_memory", 1 },
    { "napi_async_destroy", 1 },
    { "napi_async_init", 1 },
    { "napi_call_function", 1 },
    { "napi_call_threadsafe_function", 4 },
    { "napi_cancel_async_work", 1 },
    { "napi_check_object_type_tag", 8 },
    { "napi_close_callback_scope", 3 },
    { "napi_close_escapable_handle_scope", 1 },
    { "napi_close_handle_scope", 1 },
    { "napi_coerce_to_bool", 1 },
    { "napi_coerce_to_number", 1 },
    { "napi_coerce_to_object", 1 },
    { "napi_coerce_to_string", 1 },
    { "napi_create_array", 1 },
    { "napi_create_array_with_length", 1 },
    { "napi_create_arraybuffer", 1 },
    { "napi_create_async_work", 1 },
    { "napi_create_bigint_int64", 6 },
    { "napi_create_bigint_uint64", 6 },
    { "napi_create_bigint_words", 6 },
    { "napi_create_buffer", 1 },
    { "napi_create_buffer_copy", 1 },
    { "napi_create_dataview", 1 },
    { "napi_create_date", 5 },
    { "napi_create_double", 1 },
    { "napi_create_error", 1 },
    { "napi_create_external", 1 },
    { "napi_create_external_arraybuffer", 1 },
    { "napi_create_external_buffer", 1 },
    { "napi_create_function", 1 },
    { "napi_create_int32", 1 },
    { "napi_create_int64", 1 },
    { "napi_create_object", 1 },
    { "napi_create_promise", 1 },
    { "napi_create_range_error", 1 },
    { "napi_create_reference", 1 },
    { "napi_create_string_latin1", 1 },
    { "napi_create_string_utf16", 1 },
    { "napi_create_string_utf8", 1 },
    { "napi_create_symbol", 1 },
    { "napi_create_threadsafe_function", 4 },
    { "napi_create_type_error", 1 },
    { "napi_create_typedarray", 1 },
    { "napi_create_uint32", 1 },
    { "napi_define_class", 1 },
    { "napi_define_properties", 1 },
    { "napi_delete_async_work", 1 },
    { "napi_delete_element", 1 },
    { "napi_delete_property", 1 },
    { "napi_delete_reference", 1 },
    { "napi_detach_arraybuffer", 7 },
    { "napi_escape_handle", 1 },
    { "napi_fatal_error", 1 },
    { "napi_fatal_exception", 3 },
    { "napi_get_all_property_names", 6 },
    { "napi_get_and_clear_last_exception", 1 },
    { "napi_get_array_length", 1 },
    { "napi_get_arraybuffer_info", 1 },
    { "napi_get_boolean", 1 },
    { "napi_get_buffer_info", 1 },
    { "napi_get_cb_info", 1 },
    { "napi_get_dataview_info", 1 },
    { "napi_get_date_value", 5 },
    { "napi_get_element", 1 },
    { "napi_get_global", 1 },
    { "napi_get_instance_data", 6 },
    { "napi_get_last_error_info", 1 },
    { "napi_get_named_property", 1 },
    { "napi_get_new_target", 1 },
    { "napi_get_node_version", 1 },
    { "napi_get_null", 1 },
    { "napi_get_property", 1 },
    { "napi_get_property_names", 1 },
    { "napi_get_prototype", 1 },
    { "napi_get_reference_value", 1 },
    { "napi_get_threadsafe_function_context", 4 },
    { "napi_get_typedarray_info", 1 },
    { "napi_get_undefined", 1 },
    { "napi_get_uv_event_loop", 2 },
    { "napi_get_value_bigint_int64", 6 },
    { "napi_get_value_bigint_uint64", 6 },
    { "napi_get_value_bigint_words", 6 },
    { "napi_get_value_bool", 1 },
    { "napi_get_value_double", 1 },
    { "napi_get_value_external", 1 },
    { "napi_get_value_int32", 1 },
    { "napi_get_value_int64", 1 },
    { "napi_get_value_string_latin1", 1 },
    { "napi_get_value_string_utf16", 1 },
    { "napi_get_value_string_utf8", 1 },
    { "napi_get_value_uint32", 1 },
    { "napi_get_version", 1 },
    { "napi_has_element", 1 },
    { "napi_has_named_property", 1 },
    { "napi_has_own_property", 1 },
    { "napi_has_property", 1 },
    { "napi_instanceof", 1 },
    { "napi_is_array", 1 },
    { "napi_is_arraybuffer", 1 },
    { "napi_is_buffer", 1 },
    { "napi_is_dataview", 1 },
    { "napi_is_date", 5 },
    { "napi_is_detached_arraybuffer", 7 },
    { "napi_is_error", 1 },
    { "napi_is_exception_pending", 1 },
    { "napi_is_promise", 1 },
    { "napi_is_typedarray", 1 },
    { "napi_make_callback", 1 },
    { "napi_module_register", 1 },
    { "napi_new_instance", 1 },
    { "napi_object_freeze", 8 },
    { "napi_object_seal", 8 },
    { "napi_open_callback_scope", 3 },
    { "napi_open_escapable_handle_scope", 1 },
    { "napi_open_handle_scope", 1 },
    { "napi_queue_async_work", 1 },
    { "napi_ref_threadsafe_function", 4 },
    { "napi_reference_ref", 1 },
    { "napi_reference_unref", 1 },
    { "napi_reject_deferred", 1 },
    { "napi_release_threadsafe_function", 4 },
    { "napi_remove_async_cleanup_hook", 8 },
    { "napi_remove_env_cleanup_hook", 3 },
    { "napi_remove_wrap", 1 },
    { "napi_resolve_deferred", 1 },
    { "napi_run_script", 1 },
    { "napi_set_element", 1 },
    { "napi_set_instance_data", 6 },
    { "napi_set_named_property", 1 },
    { "napi_set_property", 1 },
    { "napi_strict_equals", 1 },
    { "napi_throw", 1 },
    { "napi_throw_error", 1 },
    { "napi_throw_range_error", 1 },
    { "napi_throw_type_error", 1 },
    { "napi_type_tag_object", 8 },
    { "napi_typeof", 1 },
    { "napi_unref_threadsafe_function", 4 },
    { "napi_unwrap", 1 },
    { "napi_value", 1 },
    { "napi_wrap", 1 },
    { "node_api_create_external_string_latin1", 0 },
    { "node_api_create_external_string_utf16", 0 },
    { "node_api_create_property_key_latin1", 0 },
    { "node_api_create_property_key_utf16", 0 },
    { "node_api_create_property_key_utf8", 0 },
    { "node_api_create_syntax_error", 9 },
    { "node_api_get_module_file_name", 9 },
    { "node_api_post_finalizer", 0 },
    { "node_api_symbol_for", 9 },
    { "node_api_throw_syntax_error", 9 },
};

int ag_napi_version_of(const char *name)
{
    for (size_t i = 0; i < COUNT(napi_functions); i++)
        if (strcmp(napi_functions[i].name, name) == 0)
            return napi_functions[i].version;
    return -1;
}

/* Sorted: searched with bsearch. */
static const char *const stable_abi[] = {
    "PyAIter_Check", "PyArg_Parse", "PyArg_ParseTuple", "PyArg_ParseTupleAndKeywords",
    "PyArg_UnpackTuple", "PyArg_VaParse", "PyArg_VaParseTupleAndKeywords",
    "PyArg_ValidateKeywordArguments", "PyBaseObject_Type", "PyBool_FromLong", "PyBool_Type",
    "PyBuffer_FillContiguousStrides", "PyBuffer_FillInfo", "PyBuffer_FromContiguous",
    "PyBuffer_GetPointer", "PyBuffer_IsContiguous", "PyBuffer_Release", "PyBuffer_SizeFromFormat",
    "PyBuffer_ToContiguous", "PyByteArrayIter_Type", "PyByteArray_AsString", "PyByteArray_Concat",
    "PyByteArray_FromObject", "PyByteArray_FromStringAndSize", "PyByteArray_Resize",
    "PyByteArray_Size", "PyByteArray_Type", "PyBytesIter_Type", "PyBytes_AsString",
    "PyBytes_AsStringAndSize", "PyBytes_Concat", "PyBytes_ConcatAndDel", "PyBytes_DecodeEscape",
    "PyBytes_FromFormat", "PyBytes_FromFormatV", "PyBytes_FromObject", "PyBytes_FromString",
    "PyBytes_FromStringAndSize", "PyBytes_Repr", "PyBytes_Size", "PyBytes_Type", "PyCFunction_Call",
    "PyCFunction_GetFlags", "PyCFunction_GetFunction", "PyCFunction_GetSelf", "PyCFunction_New",
    "PyCFunction_NewEx", "PyCFunction_Type", "PyCMethod_New", "PyCallIter_New", "PyCallIter_Type",
    "PyCallable_Check", "PyCapsule_GetContext", "PyCapsule_GetDestructor", "PyCapsule_GetName",
    "PyCapsule_GetPointer", "PyCapsule_Import", "PyCapsule_IsValid", "PyCapsule_New",
    "PyCapsule_SetContext", "PyCapsule_SetDestructor", "PyCapsule_SetName", "PyCapsule_SetPointer",
    "PyCapsule_Type", "PyClassMethodDescr_Type", "PyCodec_BackslashReplaceErrors", "PyCodec_Decode",
    "PyCodec_Decoder", "PyCodec_Encode", "PyCodec_Encoder", "PyCodec_IgnoreErrors",
    "PyCodec_IncrementalDecoder", "PyCodec_IncrementalEncoder", "PyCodec_KnownEncoding",
    "PyCodec_LookupError", "PyCodec_NameReplaceErrors", "PyCodec_Register", "PyCodec_RegisterError",
    "PyCodec_ReplaceErrors", "PyCodec_StreamReader", "PyCodec_StreamWriter", "PyCodec_StrictErrors",
    "PyCodec_Unregister", "PyCodec_XMLCharRefReplaceErrors", "PyComplex_FromDoubles",
    "PyComplex_ImagAsDouble", "PyComplex_RealAsDouble", "PyComplex_Type", "PyDescr_NewClassMethod",
    "PyDescr_NewGetSet", "PyDescr_NewMember", "PyDescr_NewMethod", "PyDictItems_Type",
    "PyDictIterItem_Type", "PyDictIterKey_Type", "PyDictIterValue_Type", "PyDictKeys_Type",
    "PyDictProxy_New", "PyDictProxy_Type", "PyDictRevIterItem_Type", "PyDictRevIterKey_Type",
    "PyDictRevIterValue_Type", "PyDictValues_Type", "PyDict_Clear", "PyDict_Contains",
    "PyDict_Copy", "PyDict_DelItem", "PyDict_DelItemString", "PyDict_GetItem",
    "PyDict_GetItemString", "PyDict_GetItemWithError", "PyDict_Items", "PyDict_Keys",
    "PyDict_Merge", "PyDict_MergeFromSeq2", "PyDict_New", "PyDict_Next", "PyDict_SetItem",
    "PyDict_SetItemString", "PyDict_Size", "PyDict_Type", "PyDict_Update", "PyDict_Values",
    "PyEllipsis_Type", "PyEnum_Type", "PyErr_BadArgument", "PyErr_BadInternalCall",
    "PyErr_CheckSignals", "PyErr_Clear", "PyErr_Display", "PyErr_ExceptionMatches", "PyErr_Fetch",
    "PyErr_Format", "PyErr_FormatV", "PyErr_GetExcInfo", "PyErr_GetHandledException",
    "PyErr_GivenExceptionMatches", "PyErr_NewException", "PyErr_NewExceptionWithDoc",
    "PyErr_NoMemory", "PyErr_NormalizeException", "PyErr_Occurred", "PyErr_Print", "PyErr_PrintEx",
    "PyErr_ProgramText", "PyErr_ResourceWarning", "PyErr_Restore", "PyErr_SetExcInfo",
    "PyErr_SetFromErrno", "PyErr_SetFromErrnoWithFilename", "PyErr_SetFromErrnoWithFilenameObject",
    "PyErr_SetFromErrnoWithFilenameObjects", "PyErr_SetHandledException", "PyErr_SetImportError",
    "PyErr_SetImportErrorSubclass", "PyErr_SetInterrupt", "PyErr_SetInterruptEx", "PyErr_SetNone",
    "PyErr_SetObject", "PyErr_SetString", "PyErr_SyntaxLocation", "PyErr_SyntaxLocationEx",
    "PyErr_WarnEx", "PyErr_WarnExplicit", "PyErr_WarnFormat", "PyErr_WriteUnraisable",
    "PyEval_AcquireLock", "PyEval_AcquireThread", "PyEval_CallFunction", "PyEval_CallMethod",
    "PyEval_CallObjectWithKeywords", "PyEval_EvalCode", "PyEval_EvalCodeEx", "PyEval_EvalFrame",
    "PyEval_EvalFrameEx", "PyEval_GetBuiltins", "PyEval_GetFrame", "PyEval_GetFuncDesc",
    "PyEval_GetFuncName", "PyEval_GetGlobals", "PyEval_GetLocals", "PyEval_InitThreads",
    "PyEval_ReleaseLock", "PyEval_ReleaseThread", "PyEval_RestoreThread", "PyEval_SaveThread",
    "PyEval_ThreadsInitialized", "PyExc_ArithmeticError", "PyExc_AssertionError",
    "PyExc_AttributeError", "PyExc_BaseException", "PyExc_BaseExceptionGroup",
    "PyExc_BlockingIOError", "PyExc_BrokenPipeError", "PyExc_BufferError", "PyExc_BytesWarning",
    "PyExc_ChildProcessError", "PyExc_ConnectionAbortedError", "PyExc_ConnectionError",
    "PyExc_ConnectionRefusedError", "PyExc_ConnectionResetError", "PyExc_DeprecationWarning",
    "PyExc_EOFError", "PyExc_EncodingWarning", "PyExc_EnvironmentError", "PyExc_Exception",
    "PyExc_FileExistsError", "PyExc_FileNotFoundError", "PyExc_FloatingPointError",
    "PyExc_FutureWarning", "PyExc_GeneratorExit", "PyExc_IOError", "PyExc_ImportError",
    "PyExc_ImportWarning", "PyExc_IndentationError", "PyExc_IndexError", "PyExc_InterruptedError",
    "PyExc_IsADirectoryError", "PyExc_KeyError", "PyExc_KeyboardInterrupt", "PyExc_LookupError",
    "PyExc_MemoryError", "PyExc_ModuleNotFoundError", "PyExc_NameError", "PyExc_NotADirectoryError",
    "PyExc_NotImplementedError", "PyExc_OSError", "PyExc_OverflowError",
    "PyExc_PendingDeprecationWarning", "PyExc_PermissionError", "PyExc_ProcessLookupError",
    "PyExc_RecursionError", "PyExc_ReferenceError", "PyExc_ResourceWarning", "PyExc_RuntimeError",
    "PyExc_RuntimeWarning", "PyExc_StopAsyncIteration", "PyExc_StopIteration", "PyExc_SyntaxError",
    "PyExc_SyntaxWarning", "PyExc_SystemError", "PyExc_SystemExit", "PyExc_TabError",
    "PyExc_TimeoutError", "PyExc_TypeError", "PyExc_UnboundLocalError", "PyExc_UnicodeDecodeError",
    "PyExc_UnicodeEncodeError", "PyExc_UnicodeError", "PyExc_UnicodeTranslateError",
    "PyExc_UnicodeWarning", "PyExc_UserWarning", "PyExc_ValueError", "PyExc_Warning",
    "PyExc_ZeroDivisionError", "PyExceptionClass_Name", "PyException_GetCause",
    "PyException_GetContext", "PyException_GetTraceback", "PyException_SetCause",
    "PyException_SetContext", "PyException_SetTraceback", "PyFile_FromFd", "PyFile_GetLine",
    "PyFile_WriteObject", "PyFile_WriteString", "PyFilter_Type", "PyFloat_AsDouble",
    "PyFloat_FromDouble", "PyFloat_FromString", "PyFloat_GetInfo", "PyFloat_GetMax",
    "PyFloat_GetMin", "PyFloat_Type", "PyFrame_GetCode", "PyFrame_GetLineNumber", "PyFrozenSet_New",
    "PyFrozenSet_Type", "PyGC_Collect", "PyGC_Disable", "PyGC_Enable", "PyGC_IsEnabled",
    "PyGILState_Ensure", "PyGILState_GetThisThreadState", "PyGILState_Release",
    "PyGetSetDescr_Type", "PyImport_AddModule", "PyImport_AddModuleObject",
    "PyImport_AppendInittab", "PyImport_ExecCodeModule", "PyImport_ExecCodeModuleEx",
    "PyImport_ExecCodeModuleObject", "PyImport_ExecCodeModuleWithPathnames", "PyImport_GetImporter",
    "PyImport_GetMagicNumber", "PyImport_GetMagicTag", "PyImport_GetModule",
    "PyImport_GetModuleDict", "PyImport_Import", "PyImport_ImportFrozenModule",
    "PyImport_ImportFrozenModuleObject", "PyImport_ImportModule", "PyImport_ImportModuleLevel",
    "PyImport_ImportModuleLevelObject", "PyImport_ImportModuleNoBlock", "PyImport_ReloadModule",
    "PyIndex_Check", "PyInterpreterState_Clear", "PyInterpreterState_Delete",
    "PyInterpreterState_Get", "PyInterpreterState_GetDict", "PyInterpreterState_GetID",
    "PyInterpreterState_New", "PyIter_Check", "PyIter_Next", "PyIter_Send", "PyListIter_Type",
    "PyListRevIter_Type", "PyList_Append", "PyList_AsTuple", "PyList_GetItem", "PyList_GetSlice",
    "PyList_Insert", "PyList_New", "PyList_Reverse", "PyList_SetItem", "PyList_SetSlice",
    "PyList_Size", "PyList_Sort", "PyList_Type", "PyLongRangeIter_Type", "PyLong_AsDouble",
    "PyLong_AsLong", "PyLong_AsLongAndOverflow", "PyLong_AsLongLong",
    "PyLong_AsLongLongAndOverflow", "PyLong_AsSize_t", "PyLong_AsSsize_t", "PyLong_AsUnsignedLong",
    "PyLong_AsUnsignedLongLong", "PyLong_AsUnsignedLongLongMask", "PyLong_AsUnsignedLongMask",
    "PyLong_AsVoidPtr", "PyLong_FromDouble", "PyLong_FromLong", "PyLong_FromLongLong",
    "PyLong_FromSize_t", "PyLong_FromSsize_t", "PyLong_FromString", "PyLong_FromUnsignedLong",
    "PyLong_FromUnsignedLongLong", "PyLong_FromVoidPtr", "PyLong_GetInfo", "PyLong_Type",
    "PyMap_Type", "PyMapping_Check", "PyMapping_GetItemString", "PyMapping_HasKey",
    "PyMapping_HasKeyString", "PyMapping_Items", "PyMapping_Keys", "PyMapping_Length",
    "PyMapping_SetItemString", "PyMapping_Size", "PyMapping_Values", "PyMem_Calloc", "PyMem_Free",
    "PyMem_Malloc", "PyMem_Realloc", "PyMemberDescr_Type", "PyMemoryView_FromBuffer",
    "PyMemoryView_FromMemory", "PyMemoryView_FromObject", "PyMemoryView_GetContiguous",
    "PyMemoryView_Type", "PyMethodDescr_Type", "PyModuleDef_Init", "PyModuleDef_Type",
    "PyModule_AddFunctions", "PyModule_AddIntConstant", "PyModule_AddObject",
    "PyModule_AddObjectRef", "PyModule_AddStringConstant", "PyModule_AddType", "PyModule_Create2",
    "PyModule_ExecDef", "PyModule_FromDefAndSpec2", "PyModule_GetDef", "PyModule_GetDict",
    "PyModule_GetFilename", "PyModule_GetFilenameObject", "PyModule_GetName",
    "PyModule_GetNameObject", "PyModule_GetState", "PyModule_New", "PyModule_NewObject",
    "PyModule_SetDocString", "PyModule_Type", "PyNumber_Absolute", "PyNumber_Add", "PyNumber_And",
    "PyNumber_AsSsize_t", "PyNumber_Check", "PyNumber_Divmod", "PyNumber_Float",
    "PyNumber_FloorDivide", "PyNumber_InPlaceAdd", "PyNumber_InPlaceAnd",
    "PyNumber_InPlaceFloorDivide", "PyNumber_InPlaceLshift", "PyNumber_InPlaceMatrixMultiply",
    "PyNumber_InPlaceMultiply", "PyNumber_InPlaceOr", "PyNumber_InPlacePower",
    "PyNumber_InPlaceRemainder", "PyNumber_InPlaceRshift", "PyNumber_InPlaceSubtract",
    "PyNumber_InPlaceTrueDivide", "PyNumber_InPlaceXor", "PyNumber_Index", "PyNumber_Invert",
    "PyNumber_Long", "PyNumber_Lshift", "PyNumber_MatrixMultiply", "PyNumber_Multiply",
    "PyNumber_Negative", "PyNumber_Or", "PyNumber_Positive", "PyNumber_Power", "PyNumber_Remainder",
    "PyNumber_Rshift", "PyNumber_Subtract", "PyNumber_ToBase", "PyNumber_TrueDivide",
    "PyNumber_Xor", "PyOS_AfterFork", "PyOS_AfterFork_Child", "PyOS_AfterFork_Parent",
    "PyOS_BeforeFork", "PyOS_FSPath", "PyOS_InterruptOccurred", "PyOS_double_to_string",
    "PyOS_getsig", "PyOS_mystricmp", "PyOS_mystrnicmp", "PyOS_setsig", "PyOS_snprintf",
    "PyOS_string_to_double", "PyOS_strtol", "PyOS_strtoul", "PyOS_vsnprintf", "PyObject_ASCII",
    "PyObject_AsCharBuffer", "PyObject_AsFileDescriptor", "PyObject_AsReadBuffer",
    "PyObject_AsWriteBuffer", "PyObject_Bytes", "PyObject_Call", "PyObject_CallFunction",
    "PyObject_CallFunctionObjArgs", "PyObject_CallMethod", "PyObject_CallMethodObjArgs",
    "PyObject_CallNoArgs", "PyObject_CallObject", "PyObject_Calloc", "PyObject_CheckBuffer",
    "PyObject_CheckReadBuffer", "PyObject_ClearWeakRefs", "PyObject_CopyData", "PyObject_DelItem",
    "PyObject_DelItemString", "PyObject_Dir", "PyObject_Format", "PyObject_Free", "PyObject_GC_Del",
    "PyObject_GC_IsFinalized", "PyObject_GC_IsTracked", "PyObject_GC_Track", "PyObject_GC_UnTrack",
    "PyObject_GenericGetAttr", "PyObject_GenericGetDict", "PyObject_GenericSetAttr",
    "PyObject_GenericSetDict", "PyObject_GetAIter", "PyObject_GetAttr", "PyObject_GetAttrString",
    "PyObject_GetBuffer", "PyObject_GetItem", "PyObject_GetIter", "PyObject_HasAttr",
    "PyObject_HasAttrString", "PyObject_Hash", "PyObject_HashNotImplemented", "PyObject_Init",
    "PyObject_InitVar", "PyObject_IsInstance", "PyObject_IsSubclass", "PyObject_IsTrue",
    "PyObject_Length", "PyObject_Malloc", "PyObject_Not", "PyObject_Realloc", "PyObject_Repr",
    "PyObject_RichCompare", "PyObject_RichCompareBool", "PyObject_SelfIter", "PyObject_SetAttr",
    "PyObject_SetAttrString", "PyObject_SetItem", "PyObject_Size", "PyObject_Str", "PyObject_Type",
    "PyProperty_Type", "PyRangeIter_Type", "PyRange_Type", "PyReversed_Type", "PySeqIter_New",
    "PySeqIter_Type", "PySequence_Check", "PySequence_Concat", "PySequence_Contains",
    "PySequence_Count", "PySequence_DelItem", "PySequence_DelSlice", "PySequence_Fast",
    "PySequence_GetItem", "PySequence_GetSlice", "PySequence_In", "PySequence_InPlaceConcat",
    "PySequence_InPlaceRepeat", "PySequence_Index", "PySequence_Length", "PySequence_List",
    "PySequence_Repeat", "PySequence_SetItem", "PySequence_SetSlice", "PySequence_Size",
    "PySequence_Tuple", "PySetIter_Type", "PySet_Add", "PySet_Clear", "PySet_Contains",
    "PySet_Discard", "PySet_New", "PySet_Pop", "PySet_Size", "PySet_Type", "PySlice_AdjustIndices",
    "PySlice_GetIndices", "PySlice_GetIndicesEx", "PySlice_New", "PySlice_Type", "PySlice_Unpack",
    "PyState_AddModule", "PyState_FindModule", "PyState_RemoveModule", "PyStructSequence_GetItem",
    "PyStructSequence_New", "PyStructSequence_NewType", "PyStructSequence_SetItem",
    "PyStructSequence_UnnamedField", "PySuper_Type", "PySys_AddWarnOption",
    "PySys_AddWarnOptionUnicode", "PySys_AddXOption", "PySys_FormatStderr", "PySys_FormatStdout",
    "PySys_GetObject", "PySys_GetXOptions", "PySys_HasWarnOptions", "PySys_ResetWarnOptions",
    "PySys_SetArgv", "PySys_SetArgvEx", "PySys_SetObject", "PySys_SetPath", "PySys_WriteStderr",
    "PySys_WriteStdout", "PyThreadState_Clear", "PyThreadState_Delete", "PyThreadState_Get",
    "PyThreadState_GetDict", "PyThreadState_GetFrame", "PyThreadState_GetID",
    "PyThreadState_GetInterpreter", "PyThreadState_New", "PyThreadState_SetAsyncExc",
    "PyThreadState_Swap", "PyThread_GetInfo", "PyThread_ReInitTLS", "PyThread_acquire_lock",
    "PyThread_acquire_lock_timed", "PyThread_allocate_lock", "PyThread_create_key",
    "PyThread_delete_key", "PyThread_delete_key_value", "PyThread_free_lock",
    "PyThread_get_key_value", "PyThread_get_stacksize", "PyThread_get_thread_ident",
    "PyThread_get_thread_native_id", "PyThread_init_thread", "PyThread_release_lock",
    "PyThread_set_key_value", "PyThread_set_stacksize", "PyThread_start_new_thread",
    "PyThread_tss_alloc", "PyThread_tss_create", "PyThread_tss_delete", "PyThread_tss_free",
    "PyThread_tss_get", "PyThread_tss_is_created", "PyThread_tss_set", "PyTraceBack_Here",
    "PyTraceBack_Print", "PyTraceBack_Type", "PyTupleIter_Type", "PyTuple_GetItem",
    "PyTuple_GetSlice", "PyTuple_New", "PyTuple_Pack", "PyTuple_SetItem", "PyTuple_Size",
    "PyTuple_Type", "PyType_ClearCache", "PyType_FromModuleAndSpec", "PyType_FromSpec",
    "PyType_FromSpecWithBases", "PyType_GenericAlloc", "PyType_GenericNew", "PyType_GetFlags",
    "PyType_GetModule", "PyType_GetModuleState", "PyType_GetName", "PyType_GetQualName",
    "PyType_GetSlot", "PyType_IsSubtype", "PyType_Modified", "PyType_Ready", "PyType_Type",
    "PyUnicodeDecodeError_Create", "PyUnicodeDecodeError_GetEncoding",
    "PyUnicodeDecodeError_GetEnd", "PyUnicodeDecodeError_GetObject",
    "PyUnicodeDecodeError_GetReason", "PyUnicodeDecodeError_GetStart",
    "PyUnicodeDecodeError_SetEnd", "PyUnicodeDecodeError_SetReason",
    "PyUnicodeDecodeError_SetStart", "PyUnicodeEncodeError_GetEncoding",
    "PyUnicodeEncodeError_GetEnd", "PyUnicodeEncodeError_GetObject",
    "PyUnicodeEncodeError_GetReason", "PyUnicodeEncodeError_GetStart",
    "PyUnicodeEncodeError_SetEnd", "PyUnicodeEncodeError_SetReason",
    "PyUnicodeEncodeError_SetStart", "PyUnicodeIter_Type", "PyUnicodeTranslateError_GetEnd",
    "PyUnicodeTranslateError_GetObject", "PyUnicodeTranslateError_GetReason",
    "PyUnicodeTranslateError_GetStart", "PyUnicodeTranslateError_SetEnd",
    "PyUnicodeTranslateError_SetReason", "PyUnicodeTranslateError_SetStart", "PyUnicode_Append",
    "PyUnicode_AppendAndDel", "PyUnicode_AsASCIIString", "PyUnicode_AsCharmapString",
    "PyUnicode_AsDecodedObject", "PyUnicode_AsDecodedUnicode", "PyUnicode_AsEncodedObject",
    "PyUnicode_AsEncodedString", "PyUnicode_AsEncodedUnicode", "PyUnicode_AsLatin1String",
    "PyUnicode_AsRawUnicodeEscapeString", "PyUnicode_AsUCS4", "PyUnicode_AsUCS4Copy",
    "PyUnicode_AsUTF16String", "PyUnicode_AsUTF32String", "PyUnicode_AsUTF8AndSize",
    "PyUnicode_AsUTF8String", "PyUnicode_AsUnicodeEscapeString", "PyUnicode_AsWideChar",
    "PyUnicode_AsWideCharString", "PyUnicode_BuildEncodingMap", "PyUnicode_Compare",
    "PyUnicode_CompareWithASCIIString", "PyUnicode_Concat", "PyUnicode_Contains", "PyUnicode_Count",
    "PyUnicode_Decode", "PyUnicode_DecodeASCII", "PyUnicode_DecodeCharmap",
    "PyUnicode_DecodeFSDefault", "PyUnicode_DecodeFSDefaultAndSize", "PyUnicode_DecodeLatin1",
    "PyUnicode_DecodeLocale", "PyUnicode_DecodeLocaleAndSize", "PyUnicode_DecodeRawUnicodeEscape",
    "PyUnicode_DecodeUTF16", "PyUnicode_DecodeUTF16Stateful", "PyUnicode_DecodeUTF32",
    "PyUnicode_DecodeUTF32Stateful", "PyUnicode_DecodeUTF7", "PyUnicode_DecodeUTF7Stateful",
    "PyUnicode_DecodeUTF8", "PyUnicode_DecodeUTF8Stateful", "PyUnicode_DecodeUnicodeEscape",
    "PyUnicode_EncodeFSDefault", "PyUnicode_EncodeLocale", "PyUnicode_FSConverter",
    "PyUnicode_FSDecoder", "PyUnicode_Find", "PyUnicode_FindChar", "PyUnicode_Format",
    "PyUnicode_FromEncodedObject", "PyUnicode_FromFormat", "PyUnicode_FromFormatV",
    "PyUnicode_FromObject", "PyUnicode_FromOrdinal", "PyUnicode_FromString",
    "PyUnicode_FromStringAndSize", "PyUnicode_FromWideChar", "PyUnicode_GetDefaultEncoding",
    "PyUnicode_GetLength", "PyUnicode_GetSize", "PyUnicode_InternFromString",
    "PyUnicode_InternImmortal", "PyUnicode_InternInPlace", "PyUnicode_IsIdentifier",
    "PyUnicode_Join", "PyUnicode_Partition", "PyUnicode_RPartition", "PyUnicode_RSplit",
    "PyUnicode_ReadChar", "PyUnicode_Replace", "PyUnicode_Resize", "PyUnicode_RichCompare",
    "PyUnicode_Split", "PyUnicode_Splitlines", "PyUnicode_Substring", "PyUnicode_Tailmatch",
    "PyUnicode_Translate", "PyUnicode_Type", "PyUnicode_WriteChar", "PyWeakref_GetObject",
    "PyWeakref_NewProxy", "PyWeakref_NewRef", "PyWrapperDescr_Type", "PyWrapper_New", "PyZip_Type",
    "Py_AddPendingCall", "Py_AtExit", "Py_BuildValue", "Py_BytesMain", "Py_CompileString",
    "Py_DecRef", "Py_DecodeLocale", "Py_EncodeLocale", "Py_EndInterpreter", "Py_EnterRecursiveCall",
    "Py_FileSystemDefaultEncodeErrors", "Py_FileSystemDefaultEncoding", "Py_Finalize",
    "Py_FinalizeEx", "Py_GenericAlias", "Py_GenericAliasType", "Py_GetBuildInfo", "Py_GetCompiler",
    "Py_GetCopyright", "Py_GetExecPrefix", "Py_GetPath", "Py_GetPlatform", "Py_GetPrefix",
    "Py_GetProgramFullPath", "Py_GetProgramName", "Py_GetPythonHome", "Py_GetRecursionLimit",
    "Py_GetVersion", "Py_HasFileSystemDefaultEncoding", "Py_IncRef", "Py_Initialize",
    "Py_InitializeEx", "Py_Is", "Py_IsFalse", "Py_IsInitialized", "Py_IsNone", "Py_IsTrue",
    "Py_LeaveRecursiveCall", "Py_Main", "Py_MakePendingCalls", "Py_NewInterpreter", "Py_NewRef",
    "Py_ReprEnter", "Py_ReprLeave", "Py_SetPath", "Py_SetProgramName", "Py_SetPythonHome",
    "Py_SetRecursionLimit", "Py_UTF8Mode", "Py_VaBuildValue", "Py_Version", "Py_XNewRef",
    "_PyArg_ParseTupleAndKeywords_SizeT", "_PyArg_ParseTuple_SizeT", "_PyArg_Parse_SizeT",
    "_PyArg_VaParseTupleAndKeywords_SizeT", "_PyArg_VaParse_SizeT", "_PyErr_BadInternalCall",
    "_PyObject_CallFunction_SizeT", "_PyObject_CallMethod_SizeT", "_PyObject_GC_New",
    "_PyObject_GC_NewVar", "_PyObject_GC_Resize", "_PyObject_New", "_PyObject_NewVar",
    "_PyWeakref_CallableProxyType", "_PyWeakref_ProxyType", "_PyWeakref_RefType",
    "_Py_BuildValue_SizeT", "_Py_Dealloc", "_Py_DecRef", "_Py_EllipsisObject", "_Py_FalseStruct",
    "_Py_IncRef", "_Py_NoneStruct", "_Py_NotImplementedStruct", "_Py_TrueStruct",
    "_Py_VaBuildValue_SizeT",
};

static int compare_name(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool ag_stable_abi_has(const char *name)
{
    return bsearch(name, stable_abi, COUNT(stable_abi), sizeof stable_abi[0], compare_name) != NULL;
}
