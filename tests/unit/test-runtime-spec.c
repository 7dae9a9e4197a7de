/* runtime-spec types: real configs from podman, docker, containerd and
   runc, a maximal config, state and features; round trips; every error
   with its exact message and JSON path.  */
#include "config.h"
#include "unit.h"
#include "fileutil.h"
#include "runtime_spec.h"

#define RT_FIXTURES FIXTURES_DIR "/runtime"

static const char *const config_fixtures[] = {
  "podman.json", "docker.json", "containerd.json", "runc-rootless.json", "maximal.json", NULL,
};

static char *
read_fixture (const char *name, size_t *len)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *path = NULL;
  char *data = NULL;

  xasprintf (&path, "%s/%s", RT_FIXTURES, name);
  if (read_file_max (path, OCI_JSON_MAX_SIZE, &data, len, &err) < 0)
    fail_msg ("cannot read %s: %s", path, err->msg);
  return data;
}

static void *
parse_fixture (const struct oci_json_type *type, const char *name)
{
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *data = NULL;
  size_t len;
  void *out = NULL;

  data = read_fixture (name, &len);
  assert_int_equal (oci_json_parse (type, data, len, name, &out, &err), 0);
  assert_no_error (err);
  assert_non_null (out);
  return out;
}

/* Parse `json` as `source`; the parse must fail with exactly `msg`.  */
static void
expect_error (const struct oci_json_type *type, const char *source, const char *json, const char *msg)
{
  cleanup_error oci_error_t *err = NULL;
  void *out = NULL;
  int ret = oci_json_parse (type, json, strlen (json), source, &out, &err);

  if (ret == 0)
    fail_msg ("parse of %s succeeded, expected: %s", json, msg);
  assert_null (out);
  assert_non_null (err);
  if (!streq (err->msg, msg))
    fail_msg ("for %s\n  got      \"%s\"\n  expected \"%s\"", json, err->msg, msg);
}

static void
config_error (const char *json, const char *msg)
{
  expect_error (&oci_spec_type, "config.json", json, msg);
}

/* Round trip: parse(emit(x)) == x and emit(parse(emit(x))) is
   byte-identical, compact and pretty.  */
static void
check_roundtrip (const struct oci_json_type *type, const void *obj)
{
  for (int pretty = 0; pretty <= 1; pretty++)
    {
      cleanup_error oci_error_t *err = NULL;
      cleanup_free char *first = NULL, *second = NULL;
      size_t len1, len2;
      void *again = NULL;

      assert_int_equal (oci_json_emit (type, obj, pretty, &first, &len1, &err), 0);
      assert_int_equal (oci_json_parse (type, first, len1, "emitted", &again, &err), 0);
      assert_no_error (err);
      assert_true (oci_json_equal (type, obj, again));
      assert_int_equal (oci_json_emit (type, again, pretty, &second, &len2, &err), 0);
      assert_int_equal (len1, len2);
      assert_memory_equal (first, second, len1);
      oci_json_free (type, again);
    }
}

/* --- fixtures --- */

static void
test_podman (void **state)
{
  struct oci_spec *s = parse_fixture (&oci_spec_type, "podman.json");
  const struct oci_namespace *net;

  assert_string_equal (s->oci_version, "1.1.0+dev");
  assert_true (s->process->terminal);
  assert_int_equal (s->process->user->umask, 18);
  assert_int_equal (s->process->user->additional_gids_len, 1);
  assert_int_equal (s->process->rlimits_len, 2);
  assert_string_equal (s->process->rlimits[1].type, "RLIMIT_NPROC");
  assert_true (s->process->rlimits[1].hard == 4194304);
  assert_string_equal (s->process->apparmor_profile, "containers-default-0.57.4");
  assert_int_equal (s->mounts_len, 11);
  assert_string_equal (s->mounts[10].destination, "/sys/fs/cgroup");
  assert_string_equal (s->mounts[10].options[5], "ro");
  /* An empty hooks object is present with no arrays.  */
  assert_non_null (s->hooks);
  assert_null (s->hooks->prestart);
  assert_string_equal (oci_map_get (&s->annotations, "io.container.manager"), "libpod");
  assert_true (s->linux->resources->pids->limit == 2048);
  net = oci_spec_find_namespace (s, "network");
  assert_non_null (net);
  assert_string_equal (net->path, "/run/netns/netns-7d3c2b1a-0f9e-8d7c-6b5a-4f3e2d1c0b9a");
  assert_null (oci_spec_find_namespace (s, "user"));
  assert_true (s->linux->seccomp->default_errno_ret_present);
  assert_int_equal (s->linux->seccomp->default_errno_ret, 38);
  assert_int_equal (s->linux->seccomp->syscalls[4].args_len, 2);
  assert_int_equal (s->linux->seccomp->syscalls[4].args[1].index, 2);
  assert_false (s->linux->seccomp->syscalls[4].args[1].value_two_present);
  assert_string_equal (s->linux->mount_label, "system_u:object_r:container_file_t:s0:c123,c456");
  check_roundtrip (&oci_spec_type, s);
  oci_spec_free (s);
}

static void
test_docker (void **state)
{
  struct oci_spec *s = parse_fixture (&oci_spec_type, "docker.json");
  struct oci_seccomp *sc;
  struct oci_resources *r;

  assert_string_equal (s->process->args[2], "daemon off;");
  assert_int_equal (s->process->user->additional_gids_len, 11);
  assert_int_equal (s->process->user->additional_gids[10], 27);
  assert_null (s->process->capabilities->inheritable);
  assert_int_equal (strv_len (s->process->capabilities->bounding), 14);
  assert_true (s->process->oom_score_adj_present);
  assert_int_equal (s->process->oom_score_adj, 0);
  assert_int_equal (s->hooks->prestart_len, 1);
  assert_string_equal (s->hooks->prestart[0].args[0], "libnetwork-setkey");
  assert_false (s->hooks->prestart[0].timeout_present);

  r = s->linux->resources;
  assert_int_equal (r->devices_len, 10);
  assert_false (r->devices[0].allow);
  assert_true (r->devices[0].allow_present);
  assert_null (r->devices[0].type);
  assert_string_equal (r->devices[9].type, "c");
  assert_true (r->devices[9].major == 136);
  assert_false (r->devices[9].minor_present);
  /* Present but empty objects and zero values survive.  */
  assert_non_null (r->memory);
  assert_false (r->memory->limit_present);
  assert_true (r->cpu->shares_present);
  assert_true (r->block_io->weight_present);
  assert_int_equal (r->block_io->weight, 0);
  assert_string_equal (oci_map_get (&s->linux->sysctl, "net.ipv4.ping_group_range"), "0 2147483647");

  sc = s->linux->seccomp;
  assert_string_equal (sc->default_action, "SCMP_ACT_ERRNO");
  assert_int_equal (sc->default_errno_ret, 1);
  assert_int_equal (strv_len (sc->architectures), 3);
  assert_int_equal (sc->syscalls_len, 12);
  assert_int_equal (strv_len (sc->syscalls[0].names), 79);
  assert_string_equal (sc->syscalls[0].names[78], "writev");
  assert_int_equal (sc->syscalls[1].errno_ret, 22);
  assert_true (sc->syscalls[6].args[0].value == 4294967295u);
  assert_true (sc->syscalls[6].args[0].value_two_present);
  assert_string_equal (sc->syscalls[9].names[0], "clone");
  assert_string_equal (sc->syscalls[9].args[0].op, "SCMP_CMP_MASKED_EQ");
  assert_true (sc->syscalls[9].args[0].value == 2114060288);
  assert_string_equal (sc->syscalls[10].action, "SCMP_ACT_ERRNO");
  assert_int_equal (sc->syscalls[10].errno_ret, 38);
  assert_null (sc->syscalls[10].args);
  assert_int_equal (strv_len (s->linux->masked_paths), 11);
  check_roundtrip (&oci_spec_type, s);
  oci_spec_free (s);
}

static void
test_containerd (void **state)
{
  struct oci_spec *s = parse_fixture (&oci_spec_type, "containerd.json");
  struct oci_resources *r = s->linux->resources;

  assert_string_equal (s->root->path, "rootfs");
  assert_false (s->root->readonly_present);
  assert_string_equal (s->process->cwd, "/data");
  assert_int_equal (s->process->user->uid, 65535);
  assert_true (s->process->no_new_privileges_present);
  assert_false (s->process->no_new_privileges);
  assert_int_equal (s->process->oom_score_adj, 936);
  assert_true (r->memory->limit == 268435456);
  assert_true (r->cpu->quota == 50000);
  assert_true (r->cpu->period == 100000);
  assert_int_equal (r->hugepage_limits_len, 2);
  assert_string_equal (r->hugepage_limits[1].page_size, "1GB");
  assert_true (r->hugepage_limits[1].limit_present);
  assert_string_equal (oci_map_get (&r->unified, "memory.oom.group"), "1");
  assert_string_equal (oci_spec_find_namespace (s, "ipc")->path, "/proc/31337/ns/ipc");
  assert_null (oci_spec_find_namespace (s, "cgroup"));
  assert_null (s->linux->seccomp->default_errno_ret_present ? "" : NULL);
  assert_string_equal (oci_map_get (&s->annotations, "io.kubernetes.cri.container-type"), "container");
  check_roundtrip (&oci_spec_type, s);
  oci_spec_free (s);
}

static void
test_runc_rootless (void **state)
{
  struct oci_spec *s = parse_fixture (&oci_spec_type, "runc-rootless.json");

  assert_string_equal (s->oci_version, "1.0.2-dev");
  assert_true (s->root->readonly);
  assert_string_equal (s->hostname, "runc");
  assert_null (s->domainname);
  assert_int_equal (s->linux->uid_mappings_len, 1);
  assert_int_equal (s->linux->uid_mappings[0].host_id, 1000);
  assert_int_equal (s->linux->gid_mappings[0].size, 1);
  assert_int_equal (s->linux->namespaces_len, 6);
  assert_non_null (oci_spec_find_namespace (s, "user"));
  assert_null (oci_spec_find_namespace (s, "network"));
  assert_null (oci_spec_find_namespace (NULL, "user"));
  assert_string_equal (s->mounts[5].options[0], "rbind");
  assert_null (s->linux->resources);
  assert_null (s->linux->seccomp);
  assert_null (s->linux->sysctl.keys);
  assert_true (s->process->rlimits[0].soft == 1024);
  assert_int_equal (strv_len (s->process->capabilities->ambient), 3);
  check_roundtrip (&oci_spec_type, s);
  oci_spec_free (s);
}

static void
test_maximal (void **state)
{
  struct oci_spec *s = parse_fixture (&oci_spec_type, "maximal.json");
  struct oci_process *p = s->process;
  struct oci_linux *l = s->linux;
  struct oci_resources *r = l->resources;

  assert_int_equal (p->console_size->height, 24);
  assert_int_equal (p->console_size->width, 80);
  assert_true (p->user->additional_gids[1] == 4294967294u);
  assert_non_null (p->capabilities->inheritable);
  assert_null (p->capabilities->inheritable[0]);
  assert_int_equal (p->rlimits_len, 16);
  for (size_t i = 0; i < 16; i++)
    assert_string_equal (p->rlimits[i].type, oci_rlimit_types[i]);
  assert_true (p->rlimits[0].hard == UINT64_MAX);
  assert_int_equal (p->oom_score_adj, -1000);
  assert_string_equal (p->scheduler->policy, "SCHED_DEADLINE");
  assert_int_equal (p->scheduler->nice, -20);
  assert_int_equal (p->scheduler->priority, 99);
  assert_string_equal (p->scheduler->flags[1], "SCHED_FLAG_RECLAIM");
  assert_true (p->scheduler->runtime == 10000000 && p->scheduler->deadline == 20000000);
  assert_true (p->scheduler->period == 30000000);
  assert_string_equal (p->selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
  assert_string_equal (p->io_priority->class, "IOPRIO_CLASS_BE");
  assert_int_equal (p->io_priority->priority, 7);
  assert_string_equal (p->exec_cpu_affinity->initial, "7");
  assert_string_equal (p->exec_cpu_affinity->final, "0-3,7");
  assert_string_equal (s->domainname, "example.org");
  assert_true (s->root->readonly_present && !s->root->readonly);

  assert_int_equal (s->mounts[0].uid_mappings[0].host_id, 100000);
  assert_int_equal (s->mounts[0].gid_mappings[0].host_id, 200000);
  assert_non_null (s->mounts[1].options);
  assert_null (s->mounts[1].options[0]);

  assert_int_equal (s->hooks->prestart[0].timeout, 1);
  assert_string_equal (s->hooks->create_runtime[0].path, "/usr/bin/net-setup");
  assert_string_equal (s->hooks->create_container[0].env[0], "HOOK=1");
  assert_int_equal (s->hooks->start_container[0].timeout, 2147483647);
  assert_string_equal (s->hooks->poststart[0].args[1], "--stage");
  assert_false (s->hooks->poststop[0].timeout_present);
  assert_string_equal (oci_map_get (&s->annotations, "empty"), "");

  assert_int_equal (l->uid_mappings_len, 2);
  assert_string_equal (oci_map_get (&l->sysctl, "net.core.somaxconn"), "256");
  assert_string_equal (r->devices[1].access, "rw");
  assert_string_equal (r->devices[3].type, "a");
  assert_true (r->memory->kernel == -1 && r->memory->kernel_tcp == -1);
  assert_true (r->memory->swappiness_present && r->memory->swappiness == 0);
  assert_true (r->memory->disable_oom_killer_present && !r->memory->disable_oom_killer);
  assert_true (r->memory->use_hierarchy && r->memory->check_before_update);
  assert_true (r->cpu->burst == 1000000 && r->cpu->realtime_runtime == 950000);
  assert_true (r->cpu->realtime_period == 1000000 && r->cpu->idle_present);
  assert_string_equal (r->cpu->cpus, "2-3");
  assert_string_equal (r->cpu->mems, "0-7");
  assert_int_equal (r->block_io->leaf_weight, 10);
  assert_int_equal (r->block_io->weight_device[0].leaf_weight, 300);
  assert_false (r->block_io->weight_device[1].leaf_weight_present);
  assert_true (r->block_io->throttle_read_bps_device[0].rate == 600);
  assert_true (r->block_io->throttle_write_bps_device[0].rate == 700);
  assert_true (r->block_io->throttle_read_iops_device[0].rate == 800);
  assert_true (r->block_io->throttle_write_iops_device[0].minor == 16);
  assert_true (r->hugepage_limits[0].limit == 9223372036854772736ull);
  assert_int_equal (r->network->class_id, 1048577);
  assert_string_equal (r->network->priorities[1].name, "eth1");
  assert_int_equal (r->network->priorities[1].priority, 1000);
  /* Objects of objects come back sorted by key.  */
  assert_int_equal (r->rdma_len, 3);
  assert_string_equal (r->rdma[0].device, "mlx4_0");
  assert_false (r->rdma[0].hca_handles_present);
  assert_int_equal (r->rdma[1].hca_objects, 10000);
  assert_string_equal (r->rdma[2].device, "rxe3");
  assert_string_equal (oci_map_get (&r->unified, "memory.high"), "max");

  assert_string_equal (l->cgroups_path, "/myRuntime/myContainer");
  assert_int_equal (l->namespaces_len, 8);
  assert_string_equal (oci_spec_find_namespace (s, "time")->type, "time");
  assert_int_equal (l->devices_len, 4);
  assert_int_equal (l->devices[0].file_mode, 0666);
  assert_int_equal (l->devices[1].gid, 6);
  assert_string_equal (l->devices[2].type, "u");
  assert_false (l->devices[3].major_present);
  assert_int_equal (strv_len (l->seccomp->architectures), 19);
  assert_int_equal (strv_len (l->seccomp->flags), 4);
  assert_string_equal (l->seccomp->listener_path, "/run/seccomp-agent.socket");
  assert_string_equal (l->seccomp->listener_metadata, "{\"policy\":\"strict\"}");
  assert_string_equal (l->seccomp->syscalls[1].action, "SCMP_ACT_NOTIFY");
  assert_true (l->seccomp->syscalls[9].args[5].value == UINT64_MAX);
  assert_string_equal (l->rootfs_propagation, "rslave");
  assert_string_equal (l->intel_rdt->clos_id, "guaranteed_group");
  assert_string_equal (l->intel_rdt->l3_cache_schema, "L3:0=7f0;1=1f");
  assert_string_equal (l->intel_rdt->mem_bw_schema, "MB:0=20;1=70");
  assert_string_equal (l->intel_rdt->schemata[0], "L2:0=ff;1=f");
  assert_true (l->intel_rdt->enable_monitoring && l->intel_rdt->enable_cmt);
  assert_true (l->intel_rdt->enable_mbm_present && !l->intel_rdt->enable_mbm);
  assert_string_equal (l->personality->domain, "LINUX32");
  assert_true (l->time_offsets->monotonic->secs == -86400);
  assert_int_equal (l->time_offsets->monotonic->nanosecs, 500);
  assert_int_equal (l->time_offsets->boottime->nanosecs, 999999999);
  assert_int_equal (l->net_devices_len, 2);
  assert_string_equal (l->net_devices[0].host_name, "ens4");
  assert_null (l->net_devices[0].name);
  assert_string_equal (l->net_devices[1].host_name, "eth1");
  assert_string_equal (l->net_devices[1].name, "ns1");
  check_roundtrip (&oci_spec_type, s);
  oci_spec_free (s);
}

static void
test_state (void **state)
{
  struct oci_state *st = parse_fixture (&oci_state_type, "state.json");
  cleanup_free char *out = NULL;
  cleanup_error oci_error_t *err = NULL;

  assert_string_equal (st->oci_version, "1.2.0");
  assert_string_equal (st->id, "oci-container1");
  assert_string_equal (st->status, "running");
  assert_int_equal (st->pid, 4422);
  assert_string_equal (st->bundle, "/containers/redis");
  assert_string_equal (oci_map_get (&st->annotations, "myKey"), "myValue");
  check_roundtrip (&oci_state_type, st);
  /* Canonical: spec order, runc's extra fields dropped.  */
  assert_int_equal (oci_state_emit (st, false, &out, NULL, &err), 0);
  assert_string_equal (
      out, "{\"ociVersion\":\"1.2.0\",\"id\":\"oci-container1\",\"status\":\"running\",\"pid\":4422,"
           "\"bundle\":\"/containers/redis\",\"annotations\":{\"myKey\":\"myValue\","
           "\"org.opencontainers.image.stopSignal\":\"SIGTERM\"}}");
  oci_state_free (st);

  for (size_t i = 0; i < 5; i++)
    {
      static const char *const statuses[] = { "creating", "created", "running", "stopped", "paused" };
      cleanup_free char *json = NULL;
      struct oci_state *s2 = NULL;
      xasprintf (&json, "{\"ociVersion\":\"1.2.0\",\"id\":\"a\",\"status\":\"%s\"}", statuses[i]);
      assert_int_equal (oci_state_parse (json, strlen (json), "state.json", &s2, &err), 0);
      assert_string_equal (s2->status, statuses[i]);
      assert_false (s2->pid_present);
      oci_state_free (s2);
    }
}

static void
test_features (void **state)
{
  struct oci_features *f = parse_fixture (&oci_features_type, "features.json");
  struct oci_features_linux *l = f->linux;

  assert_string_equal (f->oci_version_min, "1.0.0");
  assert_string_equal (f->oci_version_max, "1.1.0+dev");
  assert_int_equal (strv_len (f->hooks), 6);
  for (size_t i = 0; i < 6; i++)
    assert_string_equal (f->hooks[i], oci_hook_kinds[i]);
  assert_null (oci_hook_kinds[6]);
  assert_int_equal (strv_len (f->mount_options), 62);
  assert_int_equal (strv_len (l->namespaces), 7);
  assert_string_equal (l->capabilities[40], "CAP_CHECKPOINT_RESTORE");
  assert_true (l->cgroup->v1 && l->cgroup->v2 && l->cgroup->systemd && l->cgroup->systemd_user);
  assert_true (l->cgroup->rdma_present && l->cgroup->rdma);
  assert_true (l->seccomp->enabled);
  assert_int_equal (strv_len (l->seccomp->actions), 9);
  assert_int_equal (strv_len (l->seccomp->operators), 7);
  assert_int_equal (strv_len (l->seccomp->archs), 17);
  assert_string_equal (l->seccomp->known_flags[1], "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
  assert_int_equal (strv_len (l->seccomp->supported_flags), 3);
  assert_true (l->apparmor->enabled && l->selinux->enabled && l->intel_rdt->enabled);
  assert_true (l->mount_extensions->idmap->enabled);
  assert_null (l->net_devices);
  assert_string_equal (oci_map_get (&f->annotations, "org.opencontainers.runc.version"), "1.1.12");
  assert_string_equal (f->potentially_unsafe_config_annotations[1], "org.systemd.property.");
  /* Every value runc lists is one we know.  */
  for (char **it = l->seccomp->actions; *it; it++)
    assert_true (oci_strv_contains (oci_seccomp_actions, *it));
  for (char **it = l->seccomp->operators; *it; it++)
    assert_true (oci_strv_contains (oci_seccomp_operators, *it));
  for (char **it = l->seccomp->archs; *it; it++)
    assert_true (oci_strv_contains (oci_seccomp_archs, *it));
  for (char **it = l->seccomp->known_flags; *it; it++)
    assert_true (oci_strv_contains (oci_seccomp_flags, *it));
  for (char **it = l->namespaces; *it; it++)
    assert_true (oci_strv_contains (oci_namespace_types, *it));
  check_roundtrip (&oci_features_type, f);
  oci_features_free (f);

  expect_error (&oci_features_type, "features.json", "{\"ociVersionMax\":\"1.2.0\"}",
                "features.json: ociVersionMin: required field is missing");
  expect_error (&oci_features_type, "features.json", "{\"ociVersionMin\":\"1.0.0\"}",
                "features.json: ociVersionMax: required field is missing");
  expect_error (&oci_features_type, "features.json",
                "{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"1.2.0\",\"linux\":{\"cgroup\":{\"v2\":1}}}",
                "features.json: linux.cgroup.v2: expected a boolean, got a number");
}

static void
test_parse_file (void **state)
{
  cleanup_error oci_error_t *err = NULL;
  struct oci_spec *s = NULL;
  struct oci_spec *dup = NULL;

  assert_int_equal (oci_spec_parse_file (RT_FIXTURES "/podman.json", &s, &err), 0);
  assert_no_error (err);
  assert_int_equal (oci_json_dup (&oci_spec_type, s, (void **) &dup, &err), 0);
  assert_true (oci_json_equal (&oci_spec_type, s, dup));
  /* The comparison sees a change deep inside.  */
  dup->linux->seccomp->syscalls[4].args[1].value++;
  assert_false (oci_json_equal (&oci_spec_type, s, dup));
  oci_spec_free (dup);
  oci_spec_free (s);
  s = NULL;

  assert_true (oci_spec_parse_file (RT_FIXTURES "/does-not-exist.json", &s, &err) < 0);
  assert_null (s);
  assert_error_contains (err, "does-not-exist.json");
}

static void
test_fixtures_equal_each_other_only_to_themselves (void **state)
{
  void *specs[5];

  for (size_t i = 0; config_fixtures[i]; i++)
    specs[i] = parse_fixture (&oci_spec_type, config_fixtures[i]);
  for (size_t i = 0; i < 5; i++)
    for (size_t j = 0; j < 5; j++)
      assert_int_equal (oci_json_equal (&oci_spec_type, specs[i], specs[j]), i == j);
  for (size_t i = 0; i < 5; i++)
    oci_json_free (&oci_spec_type, specs[i]);
}

/* --- canonical output --- */

static void
test_canonical_emit (void **state)
{
  const char *in
      = "{\"linux\":{\"netDevices\":{\"eth1\":{\"name\":\"n1\"},\"eth0\":{}},"
        "\"resources\":{\"rdma\":{\"z\":{\"hcaObjects\":1},\"a\":{\"hcaHandles\":2}}},"
        "\"namespaces\":[{\"path\":\"/proc/1/ns/net\",\"type\":\"network\"}]},"
        "\"annotations\":{\"b\":\"2\",\"a\":\"1\"},\"root\":{\"readonly\":true,\"path\":\"rootfs\"},"
        "\"process\":{\"cwd\":\"/\",\"user\":{\"gid\":2,\"uid\":1},\"args\":[\"sh\"]},"
        "\"ociVersion\":\"1.2.0\",\"unknownField\":{\"x\":[1,2]}}";
  const char *want
      = "{\"ociVersion\":\"1.2.0\",\"process\":{\"user\":{\"uid\":1,\"gid\":2},\"args\":[\"sh\"],"
        "\"cwd\":\"/\"},\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
        "\"annotations\":{\"a\":\"1\",\"b\":\"2\"},\"linux\":{\"resources\":{\"rdma\":{\"a\":"
        "{\"hcaHandles\":2},\"z\":{\"hcaObjects\":1}}},\"namespaces\":[{\"type\":\"network\","
        "\"path\":\"/proc/1/ns/net\"}],\"netDevices\":{\"eth0\":{},\"eth1\":{\"name\":\"n1\"}}}}";
  cleanup_error oci_error_t *err = NULL;
  cleanup_free char *out = NULL;
  struct oci_spec *s = NULL;

  assert_int_equal (oci_spec_parse (in, strlen (in), "config.json", &s, &err), 0);
  assert_no_error (err);
  assert_int_equal (oci_spec_emit (s, false, &out, NULL, &err), 0);
  assert_string_equal (out, want);
  oci_spec_free (s);
}

/* --- errors --- */

#define BASE "\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"}"
#define PROC "\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0}"
#define NS3  "{\"type\":\"pid\"},{\"type\":\"mount\"},"

static void
test_hull_bad_configs (void **state)
{
  config_error ("{" BASE ",\"linux\":{\"namespaces\":[" NS3 "{\"type\":\"foo\"}]}}",
                "config.json: linux.namespaces[2].type: unknown namespace \"foo\"");
  config_error ("{" BASE ",\"linux\":{\"namespaces\":[" NS3 "{\"type\":\"ipc\"},{\"type\":\"pid\"}]}}",
                "config.json: linux.namespaces[3]: duplicate namespace \"pid\"");
  config_error ("{" BASE ",\"linux\":{\"namespaces\":[{\"path\":\"/proc/1/ns/pid\"}]}}",
                "config.json: linux.namespaces[0].type: required field is missing");
  config_error ("{" BASE ",\"linux\":{\"namespaces\":[{\"type\":\"\"}]}}",
                "config.json: linux.namespaces[0].type: unknown namespace \"\"");
  config_error ("{" BASE ",\"linux\":{\"namespaces\":[{\"type\":\"PID\"}]}}",
                "config.json: linux.namespaces[0].type: unknown namespace \"PID\"");
  /* The source names the input.  */
  expect_error (&oci_spec_type, "/run/bundle/config.json",
                "{" BASE ",\"linux\":{\"namespaces\":[" NS3 "{\"type\":\"foo\"}]}}",
                "/run/bundle/config.json: linux.namespaces[2].type: unknown namespace \"foo\"");
}

static void
test_enum_errors (void **state)
{
  config_error ("{" BASE "," PROC ",\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}}",
                "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
  config_error ("{" BASE ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_NOPE\"}}}",
                "config.json: linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\"");
  config_error (
      "{" BASE ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
      "{\"names\":[\"a\"],\"action\":\"SCMP_ACT_LOG\"},{\"names\":[\"b\"],\"action\":\"allow\"}]}}}",
      "config.json: linux.seccomp.syscalls[1].action: unknown seccomp action \"allow\"");
  config_error (
      "{" BASE ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
      "{\"names\":[\"a\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":1,"
      "\"op\":\"SCMP_CMP_MASKED_NE\"}]}]}}}",
      "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_MASKED_NE\"");
  config_error (
      "{" BASE ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
      "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_Z80\"]}}}",
      "config.json: linux.seccomp.architectures[1]: unknown seccomp architecture \"SCMP_ARCH_Z80\"");
  config_error (
      "{" BASE ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
      "\"flags\":[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}}}",
      "config.json: linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_NEW_LISTENER\"");
  config_error ("{" BASE ",\"linux\":{\"devices\":[{\"type\":\"x\",\"path\":\"/dev/x\"}]}}",
                "config.json: linux.devices[0].type: unknown device type \"x\"");
  config_error ("{" BASE ",\"linux\":{\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"u\"}]}}}",
                "config.json: linux.resources.devices[0].type: unknown device type \"u\"");
  config_error ("{" BASE ",\"linux\":{\"rootfsPropagation\":\"rshared2\"}}",
                "config.json: linux.rootfsPropagation: unknown rootfs propagation \"rshared2\"");
  config_error ("{" BASE "," PROC ",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_NONE\",\"priority\":0}}}",
                "config.json: process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\"");
  config_error ("{" BASE "," PROC ",\"scheduler\":{\"policy\":\"SCHED_NORMAL\"}}}",
                "config.json: process.scheduler.policy: unknown scheduler policy \"SCHED_NORMAL\"");
  config_error ("{" BASE ",\"linux\":{\"personality\":{\"domain\":\"LINUX64\"}}}",
                "config.json: linux.personality.domain: unknown personality domain \"LINUX64\"");
  expect_error (&oci_state_type, "state.json",
                "{\"ociVersion\":\"1.2.0\",\"id\":\"a\",\"status\":\"zombie\"}",
                "state.json: status: unknown status \"zombie\"");
}

static void
test_enum_values_accepted (void **state)
{
  static const char *const props[]
      = { "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable" };
  static const char *const policies[] = { "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",      "SCHED_BATCH",
                                          "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE" };
  cleanup_error oci_error_t *err = NULL;

  for (size_t i = 0; i < ARRAY_SIZE (props); i++)
    {
      cleanup_free char *json = NULL;
      struct oci_spec *s = NULL;
      xasprintf (&json, "{" BASE ",\"linux\":{\"rootfsPropagation\":\"%s\"}}", props[i]);
      assert_int_equal (oci_spec_parse (json, strlen (json), "config.json", &s, &err), 0);
      assert_string_equal (s->linux->rootfs_propagation, props[i]);
      oci_spec_free (s);
    }
  for (size_t i = 0; i < ARRAY_SIZE (policies); i++)
    {
      cleanup_free char *json = NULL;
      struct oci_process *p = NULL;
      xasprintf (&json, "{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"scheduler\":{\"policy\":\"%s\"}}",
                 policies[i]);
      assert_int_equal (oci_process_parse (json, strlen (json), "process.json", &p, &err), 0);
      assert_string_equal (p->scheduler->policy, policies[i]);
      oci_process_free (p);
    }
  for (size_t i = 0; oci_namespace_types[i]; i++)
    {
      cleanup_free char *json = NULL;
      struct oci_spec *s = NULL;
      xasprintf (&json, "{" BASE ",\"linux\":{\"namespaces\":[{\"type\":\"%s\"}]}}", oci_namespace_types[i]);
      assert_int_equal (oci_spec_parse (json, strlen (json), "config.json", &s, &err), 0);
      assert_non_null (oci_spec_find_namespace (s, oci_namespace_types[i]));
      oci_spec_free (s);
    }
  assert_int_equal (strv_len ((char **) oci_namespace_types), 8);
  assert_int_equal (strv_len ((char **) oci_rlimit_types), 16);
  assert_int_equal (strv_len ((char **) oci_seccomp_actions), 9);
  assert_int_equal (strv_len ((char **) oci_seccomp_operators), 7);
  assert_int_equal (strv_len ((char **) oci_seccomp_archs), 19);
  assert_int_equal (strv_len ((char **) oci_seccomp_flags), 4);
}

static void
test_required_errors (void **state)
{
  config_error ("{\"root\":{\"path\":\"rootfs\"}}", "config.json: ociVersion: required field is missing");
  config_error ("{\"ociVersion\":\"1.2.0\",\"root\":{\"readonly\":true}}",
                "config.json: root.path: required field is missing");
  config_error ("{" BASE ",\"mounts\":[{\"destination\":\"/proc\"},{\"type\":\"tmpfs\"}]}",
                "config.json: mounts[1].destination: required field is missing");
  config_error ("{" BASE ",\"process\":{\"user\":{\"uid\":0,\"gid\":0}}}",
                "config.json: process.cwd: required field is missing");
  config_error ("{" BASE ",\"process\":{\"cwd\":\"/\"}}",
                "config.json: process.user: required field is missing");
  config_error ("{" BASE ",\"process\":{\"cwd\":\"/\",\"user\":{\"gid\":0}}}",
                "config.json: process.user.uid: required field is missing");
  config_error ("{" BASE ",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":0}}}",
                "config.json: process.user.gid: required field is missing");
  config_error ("{" BASE ",\"hooks\":{\"poststop\":[{\"path\":\"/bin/true\"},{\"args\":[\"x\"]}]}}",
                "config.json: hooks.poststop[1].path: required field is missing");
  config_error ("{" BASE "," PROC ",\"rlimits\":[{\"soft\":1,\"hard\":1}]}}",
                "config.json: process.rlimits[0].type: required field is missing");
  config_error ("{" BASE "," PROC ",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"hard\":1}]}}",
                "config.json: process.rlimits[0].soft: required field is missing");
  config_error ("{" BASE "," PROC ",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":1}]}}",
                "config.json: process.rlimits[0].hard: required field is missing");
  config_error ("{" BASE ",\"linux\":{\"uidMappings\":[{\"hostID\":1,\"size\":1}]}}",
                "config.json: linux.uidMappings[0].containerID: required field is missing");
  config_error ("{" BASE ",\"linux\":{\"gidMappings\":[{\"containerID\":0,\"size\":1}]}}",
                "config.json: linux.gidMappings[0].hostID: required field is missing");
  config_error ("{" BASE
                ",\"mounts\":[{\"destination\":\"/m\",\"uidMappings\":[{\"containerID\":0,\"hostID\":1}]}]}",
                "config.json: mounts[0].uidMappings[0].size: required field is missing");
  config_error ("{" BASE ",\"linux\":{\"devices\":[{\"path\":\"/dev/null\"}]}}",
                "config.json: linux.devices[0].type: required field is missing");
  config_error ("{" BASE ",\"linux\":{\"devices\":[{\"type\":\"p\"}]}}",
                "config.json: linux.devices[0].path: required field is missing");
  config_error ("{" BASE ",\"linux\":{\"seccomp\":{\"architectures\":[]}}}",
                "config.json: linux.seccomp.defaultAction: required field is missing");
  config_error ("{" BASE ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                "{\"action\":\"SCMP_ACT_LOG\"}]}}}",
                "config.json: linux.seccomp.syscalls[0].names: required field is missing");
  config_error ("{" BASE ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                "{\"names\":[\"read\"]}]}}}",
                "config.json: linux.seccomp.syscalls[0].action: required field is missing");
  config_error ("{" BASE
                ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                "[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}}}",
                "config.json: linux.seccomp.syscalls[0].args[0].index: required field is missing");
  config_error ("{" BASE
                ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                "[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}}}",
                "config.json: linux.seccomp.syscalls[0].args[0].value: required field is missing");
  config_error ("{" BASE
                ",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
                "[\"read\"],\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":1,\"value\":2}]}]}}}",
                "config.json: linux.seccomp.syscalls[0].args[0].op: required field is missing");
  config_error ("{" BASE ",\"linux\":{\"resources\":{\"hugepageLimits\":[{\"limit\":1}]}}}",
                "config.json: linux.resources.hugepageLimits[0].pageSize: required field is missing");
  config_error ("{" BASE ",\"linux\":{\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}]}}}",
                "config.json: linux.resources.hugepageLimits[0].limit: required field is missing");
  expect_error (&oci_state_type, "state.json", "{\"id\":\"a\",\"status\":\"running\"}",
                "state.json: ociVersion: required field is missing");
  expect_error (&oci_state_type, "state.json", "{\"ociVersion\":\"1.2.0\",\"status\":\"running\"}",
                "state.json: id: required field is missing");
  expect_error (&oci_state_type, "state.json", "{\"ociVersion\":\"1.2.0\",\"id\":\"a\"}",
                "state.json: status: required field is missing");
  /* Explicit null is absent.  */
  config_error ("{\"ociVersion\":null,"
                "\"root\":{\"path\":\"rootfs\"}}",
                "config.json: ociVersion: required field is missing");
}

static void
test_semantic_errors (void **state)
{
  config_error ("{" BASE ",\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\",\"timeout\":0}]}}",
                "config.json: hooks.prestart[0].timeout: must be greater than 0, got 0");
  config_error ("{" BASE ",\"hooks\":{\"createRuntime\":[{\"path\":\"/a\",\"timeout\":5},"
                "{\"path\":\"/b\",\"timeout\":-3}]}}",
                "config.json: hooks.createRuntime[1].timeout: must be greater than 0, got -3");
  config_error ("{" BASE ",\"process\":{\"cwd\":\"srv\",\"user\":{\"uid\":0,\"gid\":0}}}",
                "config.json: process.cwd: must be an absolute path, got \"srv\"");
  config_error ("{" BASE ",\"process\":{\"cwd\":\"\",\"user\":{\"uid\":0,\"gid\":0}}}",
                "config.json: process.cwd: must be an absolute path, got \"\"");
  config_error ("{" BASE ",\"mounts\":[{\"destination\":\"/proc\"},{\"destination\":\"dev/shm\"}]}",
                "config.json: mounts[1].destination: must be an absolute path, got \"dev/shm\"");
  config_error ("{" BASE ",\"linux\":{\"devices\":[{\"type\":\"p\",\"path\":\"dev/fifo\"}]}}",
                "config.json: linux.devices[0].path: must be an absolute path, got \"dev/fifo\"");
  config_error ("{" BASE ",\"linux\":{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/fuse\",\"minor\":229}]}}",
                "config.json: linux.devices[0].major: required for device type \"c\"");
  config_error ("{" BASE ",\"linux\":{\"devices\":[{\"type\":\"p\",\"path\":\"/dev/f\"},"
                "{\"type\":\"u\",\"path\":\"/dev/u\",\"major\":1}]}}",
                "config.json: linux.devices[1].minor: required for device type \"u\"");
  config_error ("{" BASE ",\"linux\":{\"devices\":[{\"type\":\"b\",\"path\":\"/dev/sda\"}]}}",
                "config.json: linux.devices[0].major: required for device type \"b\"");
  config_error ("{" BASE ",\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
                "{\"allow\":true,\"access\":\"rwx\"}]}}}",
                "config.json: linux.resources.devices[1].access: invalid access \"rwx\": only r, w and m are "
                "allowed");
  config_error ("{" BASE ",\"linux\":{\"resources\":{\"devices\":[{\"access\":\"rwm\"}]}}}",
                "config.json: linux.resources.devices[0].allow: required field is missing");
}

static void
test_type_errors (void **state)
{
  config_error ("{\"ociVersion\":1,"
                "\"root\":{\"path\":\"rootfs\"}}",
                "config.json: ociVersion: expected a string, got a number");
  config_error ("{" BASE "," PROC ",\"terminal\":\"yes\"}}",
                "config.json: process.terminal: expected a boolean, got a string");
  config_error ("{" BASE ",\"mounts\":{}}", "config.json: mounts: expected an array, got an object");
  config_error ("{" BASE ",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},\"net\"]}}",
                "config.json: linux.namespaces[1]: expected an object, got a string");
  config_error ("{" BASE ",\"annotations\":{\"a\":1}}",
                "config.json: annotations[\"a\"]: expected a string, got a number");
  config_error ("{" BASE ",\"linux\":{\"resources\":{\"rdma\":[]}}}",
                "config.json: linux.resources.rdma: expected an object, got an array");
  config_error (
      "{" BASE ",\"linux\":{\"resources\":{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":\"3\"}}}}}",
      "config.json: linux.resources.rdma[\"mlx5_1\"].hcaHandles: expected an integer, got a string");
  config_error ("{" BASE ",\"linux\":{\"netDevices\":{\"eth0\":\"ns1\"}}}",
                "config.json: linux.netDevices[\"eth0\"]: expected an object, got a string");
  config_error ("{" BASE ",\"linux\":{\"netDevices\":{\"eth0\":{\"name\":1}}}}",
                "config.json: linux.netDevices[\"eth0\"].name: expected a string, got a number");
  config_error ("{" BASE
                ",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[1,\"2\"]}}}",
                "config.json: process.user.additionalGids[1]: expected an integer, got a string");
  config_error ("{" BASE ",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":1.5,\"gid\":0}}}",
                "config.json: process.user.uid: expected an integer, got 1.5");
  config_error ("{" BASE "," PROC ",\"args\":\"sh -c true\"}}",
                "config.json: process.args: expected an array of strings, got a string");
  config_error ("{" BASE ",\"linux\":{\"sysctl\":[\"a=b\"]}}",
                "config.json: linux.sysctl: expected an object of strings, got an array");
  config_error ("{" BASE ",\"linux\":{\"timeOffsets\":{\"monotonic\":5}}}",
                "config.json: linux.timeOffsets.monotonic: expected an object, got a number");
  config_error ("{" BASE ",\"linux\":{\"timeOffsets\":{\"boottime\":{\"secs\":\"1\"}}}}",
                "config.json: linux.timeOffsets.boottime.secs: expected an integer, got a string");
  config_error ("{" BASE ",\"root\":{\"path\":\"x\"}}", "config.json: duplicate key \"root\"");
  config_error ("{" BASE ",}",
                "config.json: invalid JSON: parse error: invalid object key (must be a string)");
  config_error ("[]", "config.json: expected an object, got an array");
}

static void
test_range_errors (void **state)
{
  config_error ("{" BASE ",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":4294967296,\"gid\":0}}}",
                "config.json: process.user.uid: integer 4294967296 out of range");
  config_error ("{" BASE ",\"linux\":{\"resources\":{\"blockIO\":{\"weight\":70000}}}}",
                "config.json: linux.resources.blockIO.weight: integer 70000 out of range");
  config_error (
      "{" BASE ",\"linux\":{\"resources\":{\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,"
      "\"leafWeight\":65536}]}}}}",
      "config.json: linux.resources.blockIO.weightDevice[0].leafWeight: integer 65536 out of range");
  config_error ("{" BASE ",\"linux\":{\"resources\":{\"cpu\":{\"shares\":-1}}}}",
                "config.json: linux.resources.cpu.shares: expected a non-negative integer, got -1");
  config_error ("{" BASE "," PROC ",\"oomScoreAdj\":2147483648}}",
                "config.json: process.oomScoreAdj: integer 2147483648 out of range");
  config_error ("{" BASE ",\"hooks\":{\"poststart\":[{\"path\":\"/x\",\"timeout\":-2147483649}]}}",
                "config.json: hooks.poststart[0].timeout: integer -2147483649 out of range");
  config_error ("{" BASE "," PROC ",\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":-1,\"hard\":1}]}}",
                "config.json: process.rlimits[0].soft: expected a non-negative integer, got -1");
  config_error ("{" BASE ",\"linux\":{\"resources\":{\"memory\":{\"limit\":9223372036854775808}}}}",
                "config.json: linux.resources.memory.limit: integer 9223372036854775808 out of range");
  config_error ("{" BASE ",\"linux\":{\"timeOffsets\":{\"boottime\":{\"nanosecs\":4294967296}}}}",
                "config.json: linux.timeOffsets.boottime.nanosecs: integer 4294967296 out of range");
  config_error ("{" BASE ",\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":-1,\"size\":1}]}}",
                "config.json: linux.uidMappings[0].hostID: expected a non-negative integer, got -1");
  expect_error (&oci_state_type, "state.json",
                "{\"ociVersion\":\"1.2.0\",\"id\":\"a\",\"status\":\"running\",\"pid\":4294967296}",
                "state.json: pid: integer 4294967296 out of range");
}

static void
test_truncated (void **state)
{
  static const char *const all[]
      = { "podman.json", "docker.json", "containerd.json", "runc-rootless.json", "maximal.json", NULL };

  for (size_t k = 0; all[k]; k++)
    {
      cleanup_free char *data = NULL;
      size_t len;

      data = read_fixture (all[k], &len);
      while (len && (data[len - 1] == '\n' || data[len - 1] == ' '))
        len--;
      for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 37))
        {
          cleanup_error oci_error_t *err = NULL;
          void *out = NULL;
          assert_true (oci_json_parse (&oci_spec_type, data, cut, "config.json", &out, &err) < 0);
          assert_null (out);
          assert_error_contains (err, "config.json: invalid JSON");
        }
    }
}

static void
test_process_and_resources (void **state)
{
  const char *proc = "{\"terminal\":false,\"user\":{\"uid\":1000,\"gid\":1000,\"additionalGids\":[10]},"
                     "\"args\":[\"ps\",\"aux\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/home/u\","
                     "\"capabilities\":{\"bounding\":[\"CAP_KILL\"]},\"noNewPrivileges\":true}";
  const char *res
      = "{\"memory\":{\"limit\":1073741824,\"swap\":-1},\"cpu\":{\"shares\":512,\"cpus\":\"0-1\"},"
        "\"pids\":{\"limit\":-1},\"blockIO\":{\"weight\":500},\"unified\":{\"cpu.weight\":\"100\"}}";
  cleanup_error oci_error_t *err = NULL;
  struct oci_process *p = NULL;
  struct oci_resources *r = NULL;

  assert_int_equal (oci_process_parse (proc, strlen (proc), "process.json", &p, &err), 0);
  assert_no_error (err);
  assert_string_equal (p->cwd, "/home/u");
  assert_int_equal (p->user->additional_gids[0], 10);
  assert_true (p->no_new_privileges);
  check_roundtrip (&oci_process_type, p);
  oci_process_free (p);
  expect_error (&oci_process_type, "process.json", "{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"ps\"]}",
                "process.json: cwd: required field is missing");
  expect_error (&oci_process_type, "process.json", "{\"user\":{\"uid\":0,\"gid\":0},\"cwd\":\"tmp\"}",
                "process.json: cwd: must be an absolute path, got \"tmp\"");

  assert_int_equal (oci_resources_parse (res, strlen (res), "resources.json", &r, &err), 0);
  assert_no_error (err);
  assert_true (r->memory->limit == 1073741824 && r->memory->swap == -1);
  assert_true (r->cpu->shares == 512);
  assert_true (r->pids->limit == -1);
  assert_int_equal (r->block_io->weight, 500);
  assert_string_equal (oci_map_get (&r->unified, "cpu.weight"), "100");
  check_roundtrip (&oci_resources_type, r);
  oci_resources_free (r);
  expect_error (&oci_resources_type, "-", "{\"pids\":{}}", "-: pids.limit: required field is missing");
  expect_error (&oci_resources_type, "-", "{\"blockIO\":{\"weight\":70000}}",
                "-: blockIO.weight: integer 70000 out of range");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_podman),
    cmocka_unit_test (test_docker),
    cmocka_unit_test (test_containerd),
    cmocka_unit_test (test_runc_rootless),
    cmocka_unit_test (test_maximal),
    cmocka_unit_test (test_state),
    cmocka_unit_test (test_features),
    cmocka_unit_test (test_parse_file),
    cmocka_unit_test (test_fixtures_equal_each_other_only_to_themselves),
    cmocka_unit_test (test_canonical_emit),
    cmocka_unit_test (test_hull_bad_configs),
    cmocka_unit_test (test_enum_errors),
    cmocka_unit_test (test_enum_values_accepted),
    cmocka_unit_test (test_required_errors),
    cmocka_unit_test (test_semantic_errors),
    cmocka_unit_test (test_type_errors),
    cmocka_unit_test (test_range_errors),
    cmocka_unit_test (test_truncated),
    cmocka_unit_test (test_process_and_resources),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
