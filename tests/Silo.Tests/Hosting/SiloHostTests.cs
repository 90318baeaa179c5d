using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.Silo.Commands;
using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Silo.Tests.Hosting;

public sealed class SiloHostTests : IDisposable
{
    private readonly string _tenants = Path.Combine(Path.GetTempPath(), "silo-host-" + Guid.NewGuid().ToString("N"));
    private readonly string _data = Path.Combine(Path.GetTempPath(), "silo-host-data-" + Guid.NewGuid().ToString("N"));

    public SiloHostTests()
    {
        Directory.CreateDirectory(Path.Combine(_tenants, "acme"));
        File.WriteAllText(Path.Combine(_tenants, "acme", "tenant.yaml"), """
            name: Acme
            timezone: Europe/Berlin
            workspaces:
              staff:
                discord_guild_id: "1098765432109876543"
            """);
        File.WriteAllText(Path.Combine(_tenants, "acme", "budgets.yaml"), """
            daily_cap_usd: 10
            monthly_cap_usd: 100
            enforcement: hard
            """);
        Directory.CreateDirectory(Path.Combine(_tenants, "broken"));
        File.WriteAllText(Path.Combine(_tenants, "broken", "tenant.yaml"), "workspaces: [1, 2\n");
    }

    public void Dispose()
    {
        Directory.Delete(_tenants, recursive: true);
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private WebApplicationFactory<Program> Factory(string? adminKey = null) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Tenancy:TenantsPath", _tenants);
            b.UseSetting("Tenancy:WatchTenants", "false");
            b.UseSetting("Tenancy:DataDirectory", _data);
            foreach (var (key, value) in FreePorts.ClusterSettings())
            {
                b.UseSetting(key, value);
            }

            if (adminKey is not null)
            {
                b.UseSetting("Tenancy:AdminKey", adminKey);
            }
        });

    [Fact]
    public async Task Healthz_reports_loaded_tenants_and_problems()
    {
        await using var factory = Factory();
        using var client = factory.CreateClient();

        var body = await client.GetFromJsonAsync<JsonElement>("/healthz");

        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(2, body.GetProperty("tenants").GetInt32()); // acme + the built-in default
        Assert.True(body.GetProperty("problems").GetInt32() >= 1);
    }

    [Fact]
    public async Task Admin_tenants_lists_workspaces_guilds_effective_limits_and_load_errors()
    {
        await using var factory = Factory();
        using var client = factory.CreateClient();

        var body = await client.GetFromJsonAsync<JsonElement>("/admin/tenants");

        var acme = body.GetProperty("tenants").EnumerateArray().Single(t => t.GetProperty("slug").GetString() == "acme");
        Assert.Equal("Europe/Berlin", acme.GetProperty("timezone").GetString());
        Assert.Equal(10m, acme.GetProperty("limits").GetProperty("daily_cap_usd").GetDecimal());
        Assert.Equal("hard", acme.GetProperty("limits").GetProperty("enforcement").GetString());
        var staff = acme.GetProperty("workspaces").EnumerateArray().Single();
        Assert.Equal("staff", staff.GetProperty("key").GetString());
        Assert.Equal("1098765432109876543", staff.GetProperty("guilds")[0].GetString());
        var error = body.GetProperty("errors").EnumerateArray().First(e => e.GetProperty("tenant").GetString() == "broken");
        Assert.EndsWith(Path.Combine("broken", "tenant.yaml"), error.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal("error", error.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task Admin_endpoints_require_the_admin_key_when_one_is_configured()
    {
        const string Key = "admin-key-for-tests-0123456789";
        await using var factory = Factory(Key);
        using var client = factory.CreateClient();

        var anonymous = await client.GetAsync("/admin/tenants");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/admin/tenants") { Headers = { { "Authorization", "Bearer not-the-key-0123456789" } } };
        var wrongResponse = await client.SendAsync(wrong);
        using var right = new HttpRequestMessage(HttpMethod.Get, "/admin/tenants") { Headers = { { "Authorization", "Bearer " + Key } } };
        var rightResponse = await client.SendAsync(right);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, rightResponse.StatusCode);
    }

    [Fact]
    public async Task A_host_started_on_a_data_directory_held_by_another_is_refused_and_one_disposed_releases_it()
    {
        var data = _data;
        Task released;
        await using (var first = Factory())
        {
            using var client = first.CreateClient();
            var held = Assert.Throws<DataDirectoryInUseException>(() => DataDirectoryLock.Acquire(data));
            Assert.Contains(data, held.Message, StringComparison.Ordinal);
            released = first.Services.GetRequiredService<DataDirectoryLock>().Released;
            Assert.False(released.IsCompleted);
        }

        // The program's RunAsync may still be disposing the container when the factory's dispose returns.
        await released.WaitAsync(TimeSpan.FromSeconds(30));
        using var again = DataDirectoryLock.Acquire(data);
    }

    [Fact]
    public void Validate_tenants_prints_file_line_messages_and_exits_1_on_errors()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var handled = ValidateTenantsCommand.TryRun(["validate-tenants", _tenants], output, error, out var exitCode);

        Assert.True(handled);
        Assert.Equal(1, exitCode);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith(Path.Combine(_tenants, "broken", "tenant.yaml") + ":", StringComparison.Ordinal));
        Assert.Contains("error(s)", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(string.Empty, error.ToString());
    }

    [Fact]
    public void Validate_tenants_exits_0_for_the_shipped_examples()
    {
        var shipped = Path.Combine(RepositoryRoot.Find(), "tenants");
        using var output = new StringWriter();
        using var error = new StringWriter();

        ValidateTenantsCommand.TryRun(["validate-tenants", shipped], output, error, out var exitCode);

        Assert.Equal(0, exitCode);
        Assert.Equal($"{shipped}: valid (0 warning(s)).", output.ToString().Trim());
    }

    [Theory]
    [InlineData(new string[0], false, 0)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:1" }, false, 0)]
    [InlineData(new[] { "validate-tenants" }, true, 2)]
    [InlineData(new[] { "validate-tenants", "a", "b" }, true, 2)]
    public void Validate_tenants_only_runs_when_named_and_checks_its_arguments(string[] args, bool handled, int expectedExit)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(handled, ValidateTenantsCommand.TryRun(args, output, error, out var exitCode));
        Assert.Equal(expectedExit, exitCode);
    }
}
