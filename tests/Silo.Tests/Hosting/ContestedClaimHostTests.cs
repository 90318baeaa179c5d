using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OrleansTenancy.OpenRouter.Simulator;

namespace OrleansTenancy.Silo.Tests.Hosting;

/// <summary>A newcomer claiming a running tenant's API key is refused while running and after a restart alike.</summary>
public sealed class ContestedClaimHostTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "contested-" + Guid.NewGuid().ToString("N"));
    private readonly string _secret = "sk-zeta-" + Guid.NewGuid().ToString("N");
    private SimulatorHost _simulator = null!;

    public async Task InitializeAsync()
    {
        _simulator = await OpenRouterSimulator.StartAsync();
        Write("zeta/tenant.yaml", Tenant("main"));
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
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
    public async Task A_restart_keeps_the_key_with_the_tenant_that_held_it_while_running()
    {
        await using (var running = Factory())
        {
            using var client = running.CreateClient();
            Assert.Equal("zeta:main", await ContextOfAsync(client));

            Write("aaa/tenant.yaml", Tenant("main"));
            using var reload = await client.PostAsync(new Uri("/admin/tenants/reload", UriKind.Relative), null);
            Assert.Equal("zeta:main", await ContextOfAsync(client));
            Assert.DoesNotContain("aaa", await SlugsAsync(client));
        }

        await using var restarted = Factory();
        using var after = restarted.CreateClient();

        Assert.Equal("zeta:main", await ContextOfAsync(after));
        Assert.DoesNotContain("aaa", await SlugsAsync(after));
    }

    private WebApplicationFactory<Program> Factory() =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(_root, "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", Path.Combine(_root, "data"));
            foreach (var (key, value) in FreePorts.ClusterSettings())
            {
                b.UseSetting(key, value);
            }

            b.UseSetting("OpenRouter:BaseUrl", _simulator.BaseUrl.ToString());
            b.UseSetting("OpenRouter:ApiKey", "sk-or-simulated");
        });

    private async Task<string> ContextOfAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Headers = { { "Authorization", "Bearer " + _secret } },
            Content = JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 10 }),
        };
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Tenant-Context").Single();
    }

    private static async Task<List<string?>> SlugsAsync(HttpClient client)
    {
        var body = await client.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants", UriKind.Relative));
        return [.. body.GetProperty("tenants").EnumerateArray().Select(t => t.GetProperty("slug").GetString())];
    }

    private string Tenant(string workspace) => $"""
        workspaces:
          {workspace}:
        api_keys:
          - id: k
            workspace: {workspace}
            sha256: {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(_secret)))}
        """;

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, "tenants", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
