using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansTenancy.Silo.Tests.Hosting;

/// <summary>
/// The silo program as a user starts it (README: <c>dotnet run --project silo</c> from a checkout): a process of its own
/// in a folder holding the shipped <c>tenants/</c>, no settings but its ports, nothing else running. It answers through
/// the built-in simulator, keeps its state in <c>./data/tenancy.db</c>, and stops cleanly on SIGTERM.
/// </summary>
public sealed class SiloProcessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _work = Path.Combine(Path.GetTempPath(), "silo-process-" + Guid.NewGuid().ToString("N"));

    public SiloProcessTests() => CopyFolder(Path.Combine(RepositoryPaths.Root(), "tenants"), Path.Combine(_work, "tenants"));

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task The_embedded_default_answers_a_chat_through_the_simulator_and_its_sqlite_file_keeps_the_spend_across_a_restart()
    {
        var ports = FreePorts.Take(3);
        decimal cost;
        await using (var silo = await SiloUnderTest.StartAsync(_work, ports))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(silo.BaseUrl, "/v1/chat/completions"))
            {
                Content = new StringContent("""{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":50}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", "sk-tenant-acme-example-1");
            using var response = await silo.Http.SendAsync(request);
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
        await using (var again = await SiloUnderTest.StartAsync(_work, ports))
        {
            var budget = await again.Http.GetFromJsonAsync<JsonElement>(new Uri(again.BaseUrl, "/admin/tenants/acme/budget"));
            var daily = budget.GetProperty("status").GetProperty("limits").EnumerateArray().Single(l =>
                !l.TryGetProperty("workspace", out _) && l.GetProperty("metric").GetString() == "cost_usd" && l.GetProperty("period").GetString() == "day");
            Assert.Equal(cost, daily.GetProperty("spent").GetDecimal());
            Assert.Equal(0, await again.StopAsync());
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>The built silo program running in a working folder of its own.</summary>
    private sealed class SiloUnderTest : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private SiloUnderTest(Process process, Uri baseUrl)
        {
            _process = process;
            BaseUrl = baseUrl;
        }

        public Uri BaseUrl { get; }

        public HttpClient Http { get; } = new();

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public static async Task<SiloUnderTest> StartAsync(string workingDirectory, int[] ports)
        {
            var baseUrl = new Uri($"http://127.0.0.1:{ports[0]}");
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OrleansTenancy.Silo.dll"));
            foreach (var argument in new[]
            {
                "--urls", baseUrl.ToString().TrimEnd('/'),
                "--Cluster:SiloPort", ports[1].ToString(CultureInfo.InvariantCulture),
                "--Cluster:GatewayPort", ports[2].ToString(CultureInfo.InvariantCulture),
            })
            {
                start.ArgumentList.Add(argument);
            }

            // Nothing of the test run's environment may choose an upstream, a strict mode or an exporter for it.
            foreach (var variable in new[] { "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "ENABLE_TENANCY_STRICT", "ENABLE_INGEST_STRICT", "OTEL_EXPORTER_OTLP_ENDPOINT", "ASPNETCORE_URLS" })
            {
                start.Environment.Remove(variable);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the silo program.");
            var silo = new SiloUnderTest(process, baseUrl);
            process.OutputDataReceived += (_, e) => silo.Record(e.Data);
            process.ErrorDataReceived += (_, e) => silo.Record(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var exited = process.WaitForExitAsync();
            if (await Task.WhenAny(silo._started.Task, exited).WaitAsync(Patience) == exited)
            {
                throw new InvalidOperationException($"The silo exited with code {process.ExitCode} while starting:\n{silo.Output}");
            }

            return silo;
        }

        /// <summary>Stops the silo as an operator does (SIGTERM) and returns its exit code.</summary>
        public async Task<int> StopAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await _process.WaitForExitAsync().WaitAsync(Patience);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private void Record(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }

            if (line.Contains("Application started", StringComparison.Ordinal))
            {
                _started.TrySetResult();
            }
        }
    }
}
