using System.Diagnostics;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Tenancy.Tests.Registry;

/// <summary>
/// Files that are not ordinary tenant files (too large, FIFOs, devices, links out of the folder) are problems of that
/// file: nothing blocks, nothing outside the folder is read, and the other tenants load.
/// </summary>
public sealed class TenantFileSafetyTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_huge_tenant_file_is_reported_by_size_without_being_read_and_the_others_load()
    {
        using var tenants = Good(new TempTenants());
        Directory.CreateDirectory(tenants.PathOf("huge"));
        using (var file = File.Create(tenants.PathOf("huge/tenant.yaml")))
        {
            file.SetLength(3L * 1024 * 1024 * 1024); // sparse: 3 GB that take no disk
        }

        var registry = await Task.Run(() => tenants.Load()).WaitAsync(Bound);

        Assert.NotNull(registry.Find("good"));
        Assert.Null(registry.Find("huge"));
        var problem = Assert.Single(registry.Problems, p => p.Tenant == "huge" && p.Severity == ProblemSeverity.Error);
        Assert.Equal(tenants.PathOf("huge/tenant.yaml"), problem.File);
        Assert.Contains("3,221,225,472 bytes", problem.Message, StringComparison.Ordinal);
        Assert.Contains("1,048,576", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_size_limit_is_configurable()
    {
        using var tenants = Good(new TempTenants());
        tenants.Write("big/tenant.yaml", TempTenants.TenantYaml(guild: "223456789012345678") + "\ndescription: " + new string('x', 300) + "\n");
        var limits = new TenantLoadLimits { MaxFileBytes = 256 };

        var registry = TenantRegistryLoader.Load(tenants.Root, null, limits);

        Assert.NotNull(registry.Find("good"));
        Assert.Null(registry.Find("big"));
        Assert.Contains(registry.Problems, p => p.Tenant == "big" && p.Message.Contains("above the limit of 256 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void Too_many_workspaces_are_reported_and_the_others_load()
    {
        using var tenants = Good(new TempTenants());
        tenants.Write("wide/tenant.yaml", "workspaces:\n" + string.Concat(Enumerable.Range(0, 12).Select(i => $"  w{i}:\n")));

        var registry = TenantRegistryLoader.Load(tenants.Root, null, new TenantLoadLimits { MaxWorkspacesPerTenant = 10 });

        Assert.NotNull(registry.Find("good"));
        Assert.Null(registry.Find("wide"));
        Assert.Contains(registry.Problems, p => p.Tenant == "wide" && p.Message.Contains("12 workspaces", StringComparison.Ordinal) && p.Message.Contains("10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fifo_named_tenant_yaml_is_reported_without_blocking_the_load()
    {
        using var tenants = Good(new TempTenants());
        Directory.CreateDirectory(tenants.PathOf("pipe"));
        MakeFifo(tenants.PathOf("pipe/tenant.yaml"));
        MakeFifo(tenants.PathOf("_global.yaml"));

        var registry = await Task.Run(() => tenants.Load()).WaitAsync(Bound);

        Assert.NotNull(registry.Find("good"));
        Assert.Null(registry.Find("pipe"));
        Assert.Contains(registry.Problems, p => p.File == tenants.PathOf("pipe/tenant.yaml") && p.Message.Contains("not a regular file", StringComparison.Ordinal));
        Assert.Contains(registry.Problems, p => p.File == tenants.PathOf("_global.yaml") && p.Message.Contains("not a regular file", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_link_to_a_device_outside_the_folder_is_not_followed()
    {
        using var tenants = Good(new TempTenants());
        Directory.CreateDirectory(tenants.PathOf("zero"));
        File.CreateSymbolicLink(tenants.PathOf("zero/tenant.yaml"), "/dev/zero");

        var registry = await Task.Run(() => tenants.Load()).WaitAsync(Bound);

        Assert.NotNull(registry.Find("good"));
        Assert.Contains(registry.Problems, p => p.Tenant == "zero" && p.Message.Contains("outside the tenants folder", StringComparison.Ordinal));
    }

    [Fact]
    public void A_link_to_a_file_outside_the_folder_is_not_read_and_nothing_of_it_is_echoed()
    {
        using var outside = new TempTenants();
        outside.Write("secret.yaml", "root:x:0:0:root:/root:/bin/bash\nsecret-token: hunter2\n");
        using var tenants = Good(new TempTenants());
        Directory.CreateDirectory(tenants.PathOf("leak"));
        File.CreateSymbolicLink(tenants.PathOf("leak/tenant.yaml"), outside.PathOf("secret.yaml"));
        File.CreateSymbolicLink(tenants.PathOf("_global.yaml"), "/etc/passwd");

        var registry = tenants.Load();

        Assert.NotNull(registry.Find("good"));
        Assert.Null(registry.Find("leak"));
        Assert.Contains(registry.Problems, p => p.File == tenants.PathOf("leak/tenant.yaml") && p.Message.Contains("outside the tenants folder", StringComparison.Ordinal));
        Assert.Contains(registry.Problems, p => p.File == tenants.PathOf("_global.yaml") && p.Message.Contains("outside the tenants folder", StringComparison.Ordinal));
        Assert.DoesNotContain(registry.Problems, p => p.Message.Contains("root:", StringComparison.Ordinal) || p.Message.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tenant_folder_linked_from_outside_is_not_loaded()
    {
        using var outside = new TempTenants();
        outside.Write("elsewhere/tenant.yaml", TempTenants.TenantYaml(guild: "223456789012345678"));
        using var tenants = Good(new TempTenants());
        Directory.CreateSymbolicLink(tenants.PathOf("linked"), outside.PathOf("elsewhere"));

        var registry = tenants.Load();

        Assert.NotNull(registry.Find("good"));
        Assert.Null(registry.Find("linked"));
        Assert.Contains(registry.Problems, p => p.Tenant == "linked" && p.Message.Contains("outside the tenants folder", StringComparison.Ordinal));
    }

    [Fact]
    public void Links_that_stay_inside_the_folder_are_followed_as_a_mounted_config_map_lays_them_out()
    {
        // Kubernetes projects files as links into a timestamped folder behind a '..data' link, all inside the mount.
        using var tenants = new TempTenants();
        tenants.Write("..2026_11_22/acme/tenant.yaml", TempTenants.TenantYaml());
        Directory.CreateSymbolicLink(tenants.PathOf("..data"), "..2026_11_22");
        Directory.CreateDirectory(tenants.PathOf("acme"));
        File.CreateSymbolicLink(tenants.PathOf("acme/tenant.yaml"), "../..data/acme/tenant.yaml");

        var registry = tenants.Load();

        Assert.NotNull(registry.Find("acme"));
        Assert.Empty(registry.Problems);
    }

    [Fact]
    public void A_long_token_is_echoed_shortened_never_whole()
    {
        using var tenants = new TempTenants();
        var key = "k" + new string('x', 5000);
        tenants.Write("t/tenant.yaml", TempTenants.TenantYaml() + $"\nstatus: {key}\n");

        var problem = Assert.Single(tenants.Load().Problems, p => p.Severity == ProblemSeverity.Error);

        Assert.Contains("'kxxxx", problem.Message, StringComparison.Ordinal);
        Assert.Contains("…'", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Message.Length < 600, problem.Message);
    }

    [Fact]
    public void Shortening_leaves_apostrophes_and_short_quotes_alone()
    {
        var text = "The tenant's folder " + new string('y', 100) + " names 'acme' and \"x\".";

        Assert.Equal(text, new TenantProblem("f", 0, 0, ProblemSeverity.Error, text, null).Message);
    }

    private static TempTenants Good(TempTenants tenants) => tenants.Write("good/tenant.yaml", TempTenants.TenantYaml());

    private static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        mkfifo.WaitForExit();
        Assert.True(mkfifo.ExitCode == 0, mkfifo.StandardError.ReadToEnd());
    }
}
