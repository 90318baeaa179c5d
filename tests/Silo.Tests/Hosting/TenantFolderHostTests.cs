using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace OrleansTenancy.Silo.Tests.Hosting;

/// <summary>The running silo with a tenants folder holding what it must not read: reloads answer and report the file.</summary>
public sealed class TenantFolderHostTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tenant-folder-host-" + Guid.NewGuid().ToString("N"));

    public TenantFolderHostTests()
    {
        Write("good/tenant.yaml", "workspaces:\n  main:\n");
        Write("other/tenant.yaml", "workspaces:\n  main:\n");
    }

    private string Tenants => Path.Combine(_root, "tenants");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The folder name is unique per test.
        }
    }

    [Fact]
    public async Task A_fifo_in_the_watched_folder_is_reported_and_reloads_still_answer_and_see_deletions()
    {
        await using var factory = Factory(("Tenancy:WatchTenants", "true"));
        using var client = factory.CreateClient();
        Directory.CreateDirectory(Path.Combine(Tenants, "pipe"));
        MakeFifo(Path.Combine(Tenants, "pipe", "tenant.yaml"));

        using var first = await client.PostAsync(new Uri("/admin/tenants/reload", UriKind.Relative), null).WaitAsync(TimeSpan.FromSeconds(30));
        Directory.Delete(Path.Combine(Tenants, "other"), recursive: true);
        using var second = await client.PostAsync(new Uri("/admin/tenants/reload", UriKind.Relative), null).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = await second.Content.ReadFromJsonAsync<JsonElement>();
        var slugs = body.GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("slug").GetString()).ToList();
        Assert.Contains("good", slugs);
        Assert.DoesNotContain("other", slugs);
        Assert.Contains(body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("not a regular file", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Tenancy:MaxTenantFileBytes", "512", "above the limit of 512 bytes")]
    [InlineData("Tenancy:MaxWorkspacesPerTenant", "2", "above the limit of 2 per tenant")]
    public async Task The_tenant_file_limits_are_settings(string setting, string value, string reported)
    {
        Write("big/tenant.yaml", "description: " + new string('x', 600) + "\nworkspaces:\n  a:\n  b:\n  c:\n");
        await using var factory = Factory((setting, value));
        using var client = factory.CreateClient();

        var body = await client.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants", UriKind.Relative));

        Assert.DoesNotContain(body.GetProperty("tenants").EnumerateArray(), t => t.GetProperty("slug").GetString() == "big");
        Assert.Contains(body.GetProperty("errors").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains(reported, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Tenancy:AnonymousCallers", "everyone")]
    [InlineData("Tenancy:MaxTenantFileBytes", "0")]
    [InlineData("Tenancy:MaxWorkspacesPerTenant", "-1")]
    public void An_invalid_setting_stops_the_host_naming_it_and_leaves_the_data_directory_free(string key, string value)
    {
        using (var factory = Factory((key, value)))
        {
            var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
            Assert.Contains(key, error.ToString(), StringComparison.Ordinal);
        }

        using var free = OrleansTenancy.Silo.Hosting.DataDirectoryLock.Acquire(Path.Combine(_root, "data"));
    }

    private WebApplicationFactory<Program> Factory(params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Tenants);
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", Path.Combine(_root, "data"));
            foreach (var (key, value) in FreePorts.ClusterSettings().Concat(settings.Select(s => KeyValuePair.Create(s.Key, s.Value))))
            {
                b.UseSetting(key, value);
            }
        });

    private void Write(string relative, string text)
    {
        var path = Path.Combine(Tenants, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    internal static void MakeFifo(string path)
    {
        using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true })!;
        mkfifo.WaitForExit();
        Assert.True(mkfifo.ExitCode == 0, mkfifo.StandardError.ReadToEnd());
    }
}
