using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Tests.Processes;

/// <summary>
/// The silo program as a user starts it (README: <c>dotnet run --project silo</c> from a checkout): a process of its own
/// in a folder holding the shipped <c>tenants/</c>, no settings but its ports, nothing else running. It answers through
/// the built-in simulator, keeps its state in <c>./data/tenancy.db</c>, and stops cleanly on SIGTERM.
/// </summary>
public sealed class EmbeddedDefaultProcessTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("silo-process-").FullName;

    public EmbeddedDefaultProcessTests() => SiloProcess.CopyShippedTenants(_work);

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task The_embedded_default_answers_a_chat_through_the_simulator_and_its_sqlite_file_keeps_the_spend_across_a_restart()
    {
        decimal cost;
        await using (var silo = SiloProcess.Start(_work, SiloProcess.FreePort))
        {
            using var http = new HttpClient { BaseAddress = await silo.StartedAsync() };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":50}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", "sk-tenant-acme-example-1");
            using var response = await http.SendAsync(request);
            var answer = await response.Content.ReadFromJsonAsync<JsonElement>();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("Simulated reply from openai/gpt-4o-mini", answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
            cost = answer.GetProperty("usage").GetProperty("cost").GetDecimal();
            Assert.True(cost > 0m);
            Assert.Contains("Cluster settings: Membership=localhost", silo.Output, StringComparison.Ordinal);
            Assert.Contains("NO OPENROUTER API KEY", silo.Output, StringComparison.Ordinal);

            Assert.Equal(0, await silo.StopAsync());
        }

        Assert.True(File.Exists(Path.Combine(_work, "data", "tenancy.db")), "the embedded default keeps its state in ./data/tenancy.db");
        await using (var again = SiloProcess.Start(_work, SiloProcess.FreePort))
        {
            using var http = new HttpClient { BaseAddress = await again.StartedAsync() };
            var budget = await http.GetFromJsonAsync<JsonElement>(new Uri("/admin/tenants/acme/budget", UriKind.Relative));
            var daily = budget.GetProperty("status").GetProperty("limits").EnumerateArray().Single(l =>
                !l.TryGetProperty("workspace", out _) && l.GetProperty("metric").GetString() == "cost_usd" && l.GetProperty("period").GetString() == "day");
            Assert.Equal(cost, daily.GetProperty("spent").GetDecimal());

            // The operator's view of the one-silo cluster, from this machine (no admin key configured).
            var cluster = await http.GetFromJsonAsync<JsonElement>(new Uri("/admin/cluster", UriKind.Relative));
            var silo = Assert.Single(cluster.GetProperty("silos").EnumerateArray().ToArray());
            Assert.Equal("active", silo.GetProperty("status").GetString());
            Assert.Equal(TenantRegistryLoader.Load(Path.Combine(_work, "tenants")).ContentHash, silo.GetProperty("registry_hash").GetString());
            Assert.Contains(http.BaseAddress!.ToString().TrimEnd('/'), silo.GetProperty("http_addresses").EnumerateArray().Select(a => a.GetString()));
            Assert.True(cluster.GetProperty("registries_agree").GetBoolean());
            Assert.Equal(0, await again.StopAsync());
        }
    }
}
