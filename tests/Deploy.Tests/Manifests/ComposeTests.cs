using System.Diagnostics;
using Npgsql;
using OrleansTenancy.Silo.Hosting;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Deploy.Tests.Manifests;

/// <summary>
/// <c>deploy/docker/Dockerfile</c> and <c>deploy/compose/compose.yaml</c> against the silo they run. No container
/// engine runs here: images are not built or started; what the files say is checked against the code, and
/// <c>docker-compose config</c> checks the compose file as Compose reads it.
/// </summary>
public sealed class ComposeTests
{
    private static readonly string ComposeFolder = Path.GetDirectoryName(DeployYaml.ComposeFile)!;

    [Fact]
    public void The_image_builds_the_silo_from_the_repository_and_exposes_its_http_silo_and_gateway_ports()
    {
        var lines = File.ReadAllLines(DeployYaml.Dockerfile);
        var root = RepositoryRoot.Find();
        var publish = Assert.Single(lines, l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal)).Split(' ')[3];
        Assert.True(File.Exists(Path.Combine(root, publish)), $"the Dockerfile publishes {publish}, which does not exist");
        Assert.EndsWith($"\"/app/{typeof(Program).Assembly.GetName().Name}.dll\"]", Assert.Single(lines, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)), StringComparison.Ordinal);

        var environment = DockerfileEnvironment(lines);
        Assert.All(environment.Keys, name => Assert.Null(SiloSettings.Problem(name)));
        var cluster = new ClusterHostOptions();
        var exposed = Assert.Single(lines, l => l.StartsWith("EXPOSE ", StringComparison.Ordinal)).Split(' ').Skip(1).Select(int.Parse).ToHashSet();
        Assert.Equal([SiloSettings.PortOf(environment["Urls"]), cluster.SiloPort, cluster.GatewayPort], exposed);
        foreach (var copied in lines.Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from", StringComparison.Ordinal)).Select(l => l.Split(' ')[1]))
        {
            Assert.True(copied == "." || Directory.Exists(Path.Combine(root, copied)), $"the Dockerfile copies {copied}, which does not exist");
        }
    }

    [Fact]
    public void Both_silos_share_membership_and_storage_and_read_only_settings_the_silo_has()
    {
        var compose = Assert.Single(DeployYaml.Documents(DeployYaml.ComposeFile));
        var services = compose.Map("services").Keys.ToHashSet();
        var silos = services.Where(s => s.StartsWith("silo-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(["silo-1", "silo-2"], silos);
        var image = DockerfileEnvironment(File.ReadAllLines(DeployYaml.Dockerfile));

        foreach (var silo in silos)
        {
            var service = compose.At("services", silo)!;
            var build = Path.GetFullPath(Path.Combine(ComposeFolder, service.Text("build", "context")!));
            Assert.True(File.Exists(Path.Combine(build, service.Text("build", "dockerfile")!)), $"{silo}: no Dockerfile at its build path");

            var environment = service.Map("environment");
            Assert.All(environment.Keys, name => Assert.Null(SiloSettings.Problem(name)));
            Assert.Equal("redis", environment["Cluster__Membership"]);
            Assert.StartsWith("redis:", compose.Text("services", "redis", "image"), StringComparison.Ordinal);
            Assert.Equal("redis:6379", environment["Cluster__RedisConnectionString"]); // the service's name and Redis' port
            Assert.Equal("postgres", environment["Tenancy__Storage"]);
            var postgres = new NpgsqlConnectionStringBuilder(environment["Tenancy__PostgresConnectionString"]);
            var database = compose.Map("services", "postgres", "environment");
            Assert.Equal(("postgres", database["POSTGRES_DB"], database["POSTGRES_USER"], database["POSTGRES_PASSWORD"]), (postgres.Host, postgres.Database, postgres.Username, postgres.Password));
            Assert.StartsWith("${TENANCY_ADMIN_KEY:?", environment["Tenancy__AdminKey"], StringComparison.Ordinal);

            var published = service.Items("ports").Select(p => int.Parse(((YamlDotNet.RepresentationModel.YamlScalarNode)p).Value!.Split(':')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            Assert.Equal([SiloSettings.PortOf(image["Urls"]), new ClusterHostOptions().GatewayPort], published);

            var tenants = Assert.Single(service.Items("volumes")).ToString().Split(':');
            Assert.True(Directory.Exists(Path.Combine(ComposeFolder, tenants[0])), $"{silo} mounts {tenants[0]}, which does not exist");
            Assert.Equal(image["Tenancy__TenantsPath"], tenants[1]);
            Assert.Equal(["postgres", "redis"], service.Map("depends_on").Keys.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Compose_reads_the_file_and_refuses_to_run_without_an_admin_key()
    {
        var valid = DockerCompose(("TENANCY_ADMIN_KEY", "compose-check-admin-key-0123"));
        Assert.True(valid.ExitCode == 0, valid.Output);
        Assert.Contains("Tenancy__AdminKey: compose-check-admin-key-0123", valid.Output, StringComparison.Ordinal);

        var missing = DockerCompose(("TENANCY_ADMIN_KEY", null));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("set TENANCY_ADMIN_KEY to a key of at least 16 characters", missing.Output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> DockerfileEnvironment(string[] lines)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var inEnv = false;
        foreach (var line in lines)
        {
            var text = line.Trim();
            if (text.StartsWith("ENV ", StringComparison.Ordinal))
            {
                inEnv = true;
                text = text[4..];
            }
            else if (!inEnv)
            {
                continue;
            }

            inEnv = text.EndsWith('\\');
            var pair = text.TrimEnd('\\').Trim().Split('=', 2);
            environment[pair[0]] = pair[1];
        }

        return environment;
    }

    private static (int ExitCode, string Output) DockerCompose((string Name, string? Value) variable)
    {
        var start = new ProcessStartInfo("docker-compose", ["-f", DeployYaml.ComposeFile, "config"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment[variable.Name] = variable.Value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }
}
