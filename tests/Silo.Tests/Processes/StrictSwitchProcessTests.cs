using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Processes;

/// <summary>The origin's strict switches work on the shipped silo, started with nothing but the environment variable.</summary>
public sealed class StrictSwitchProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("strict-process-").FullName;

    public StrictSwitchProcessTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "tenants", "default"));
        File.WriteAllText(Path.Combine(_root, "tenants", "default", "tenant.yaml"), "workspaces:\n  main:\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("ENABLE_TENANCY_STRICT", "1")]
    [InlineData("ENABLE_INGEST_STRICT", "true")]
    public async Task The_environment_switch_alone_makes_a_call_without_tenant_a_401(string variable, string value)
    {
        await using var silo = SiloProcess.Start(_root, SiloProcess.FreePort, new Dictionary<string, string> { [variable] = value });
        using var client = new HttpClient { BaseAddress = await silo.StartedAsync() };

        using var response = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Chat());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("tenant_context_missing", error.GetProperty("code").GetString());
        Assert.Contains("Strict=True", silo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_switch_a_local_call_without_tenant_is_served_as_default_main()
    {
        await using var silo = SiloProcess.Start(_root, SiloProcess.FreePort);
        using var client = new HttpClient { BaseAddress = await silo.StartedAsync() };

        using var response = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Chat());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("default:main", response.Headers.GetValues("X-Tenant-Context").Single());
        Assert.Contains("Strict=False", silo.Output, StringComparison.Ordinal);
    }

    private static JsonContent Chat() =>
        JsonContent.Create(new { model = "openai/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 10 });
}
