using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using OrleansTenancy.Silo.Tests;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Dashboard.Tests.Access;

/// <summary>
/// The silo in memory with the repository's example tenants (read, never written) and a data folder of its own, with or
/// without an admin key. Its in-memory server lets a test choose the scheme and the caller's address.
/// </summary>
public sealed class ExampleSilo : IAsyncDisposable
{
    public const string AdminKey = "example-silo-admin-key-0123456789";

    private readonly string _data = Path.Combine(Path.GetTempPath(), "dashboard-" + Guid.NewGuid().ToString("N"));
    private readonly WebApplicationFactory<Program> _factory;

    public ExampleSilo(string? adminKey, IReadOnlyDictionary<string, string>? settings = null)
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", Path.Combine(RepositoryRoot.Find(), "tenants"));
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", _data);
            b.UseSetting("Tenancy:AdminKey", adminKey ?? string.Empty);
            b.UseSetting("Urls", "http://127.0.0.1:0");
            foreach (var (key, value) in FreePorts.ClusterSettings().Concat(settings ?? new Dictionary<string, string>()))
            {
                b.UseSetting(key, value);
            }
        });
    }

    public TestServer Server => _factory.Server;

    public IServiceProvider Services => _factory.Services;

    /// <summary>A client that follows no redirect and keeps no cookie, so each response is seen as sent.</summary>
    public HttpClient Client(string scheme = "http") =>
        _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri($"{scheme}://localhost") });

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the folder is unique to this host.
        }
    }
}
