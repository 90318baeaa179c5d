using System.Text.RegularExpressions;
using Npgsql;
using Orleans.Hosting.Kubernetes;
using OrleansTenancy.Silo.Hosting;
using YamlDotNet.RepresentationModel;

namespace OrleansTenancy.Deploy.Tests.Manifests;

/// <summary>
/// The manifests of <c>deploy/kubernetes</c> against each other and against the silo they run. There is no cluster
/// here: nothing is applied and the API server's schema validation does not run; references between the manifests,
/// the pod contract of Orleans' Kubernetes hosting and every setting the silo is given are checked.
/// </summary>
public sealed partial class KubernetesTests
{
    private const string Namespace = "orleans-tenancy";

    private static readonly IReadOnlyList<(string File, YamlMappingNode Document)> Documents = DeployYaml.KubernetesDocuments();

    private static YamlNode Silo => Workload("orleans-tenancy-silo");

    private static YamlNode SiloContainer => Assert.Single(Silo.Items("spec", "template", "spec", "containers"));

    private static IReadOnlyList<YamlNode> SiloEnvironment => [.. SiloContainer.Items("env")];

    [Fact]
    public void Every_manifest_is_in_the_kustomization_and_every_object_is_named_and_in_the_namespace()
    {
        var kustomization = Assert.Single(DeployYaml.Documents(Path.Combine(DeployYaml.KubernetesFolder, "kustomization.yaml")));
        var files = Directory.GetFiles(DeployYaml.KubernetesFolder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");
        Assert.Equal(files.Order(StringComparer.Ordinal), kustomization.Items("resources").Select(r => r.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(Namespace, kustomization.Text("namespace"));

        foreach (var (file, document) in Documents)
        {
            var what = $"{file}: {document.Text("kind")} {document.Text("metadata", "name")}";
            Assert.False(string.IsNullOrEmpty(document.Text("apiVersion")), what);
            Assert.False(string.IsNullOrEmpty(document.Text("metadata", "name")), what);
            Assert.True(document.Text("kind") == "Namespace" ? document.Text("metadata", "name") == Namespace : document.Text("metadata", "namespace") == Namespace, what);
        }
    }

    [Fact]
    public void The_silo_pods_carry_the_labels_and_pod_variables_orleans_kubernetes_hosting_expects()
    {
        var labels = Silo.Map("spec", "template", "metadata", "labels");
        Assert.Equal(Value("Cluster__ServiceId"), labels[KubernetesHostingOptions.ServiceIdLabel]);
        Assert.Equal(Value("Cluster__ClusterId"), labels[KubernetesHostingOptions.ClusterIdLabel]);
        Assert.Equal("true", Value("Cluster__Kubernetes"));
        Assert.All(Silo.Map("spec", "selector", "matchLabels"), l => Assert.Equal(l.Value, labels[l.Key]));

        Assert.Equal("metadata.name", FieldRef(KubernetesHostingOptions.PodNameEnvironmentVariable));
        Assert.Equal("metadata.namespace", FieldRef(KubernetesHostingOptions.PodNamespaceEnvironmentVariable));
        Assert.Equal("status.podIP", FieldRef(KubernetesHostingOptions.PodIPEnvironmentVariable));
        Assert.Equal($"$({KubernetesHostingOptions.PodIPEnvironmentVariable})", Value("Cluster__AdvertisedAddress"));
    }

    [Fact]
    public void The_silo_account_may_read_watch_and_label_pods_and_nothing_more()
    {
        var account = Silo.Text("spec", "template", "spec", "serviceAccountName");
        Assert.Single(Documents, d => d.Document.Text("kind") == "ServiceAccount" && d.Document.Text("metadata", "name") == account);
        var binding = Assert.Single(Documents, d => d.Document.Text("kind") == "RoleBinding").Document;
        var subject = Assert.Single(binding.Items("subjects"));
        Assert.Equal(("ServiceAccount", account), (subject.Text("kind"), subject.Text("name")));
        Assert.Equal("Role", binding.Text("roleRef", "kind"));
        var role = Assert.Single(Documents, d => d.Document.Text("kind") == "Role" && d.Document.Text("metadata", "name") == binding.Text("roleRef", "name")).Document;
        var rule = Assert.Single(role.Items("rules"));
        Assert.Equal(["pods"], rule.Items("resources").Select(r => r.ToString()));
        Assert.Equal(["get", "list", "patch", "watch"], rule.Items("verbs").Select(v => v.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_setting_the_silo_is_given_is_one_it_reads_and_every_reference_resolves()
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var variable in SiloEnvironment)
        {
            var name = variable.Text("name")!;
            Assert.True(SiloSettings.Problem(name) is null || IsExpandedLater(name), SiloSettings.Problem(name));
            foreach (Match reference in Expansion().Matches(variable.Text("value") ?? ""))
            {
                Assert.True(defined.Contains(reference.Groups[1].Value), $"{name} uses $({reference.Groups[1].Value}) before it is defined");
            }

            if (variable.At("valueFrom", "secretKeyRef") is { } secret)
            {
                var manifest = Assert.Single(Documents, d => d.Document.Text("kind") == "Secret" && d.Document.Text("metadata", "name") == secret.Text("name")).Document;
                Assert.True(manifest.Map("stringData").ContainsKey(secret.Text("key")!), $"{name}: secret {secret.Text("name")} has no key {secret.Text("key")}");
            }

            defined.Add(name);
        }

        Assert.Equal("redis", Value("Cluster__Membership"));
        Assert.Equal("postgres", Value("Tenancy__Storage"));
        Assert.Equal($"{ServiceName("redis")}:{ServicePort("redis")}", Value("Cluster__RedisConnectionString"));
        var postgres = new NpgsqlConnectionStringBuilder(Value("Tenancy__PostgresConnectionString"));
        var database = Assert.Single(Workload("postgres").Items("spec", "template", "spec", "containers")).Items("env").ToDictionary(e => e.Text("name")!);
        Assert.Equal(
            (ServiceName("postgres"), ServicePort("postgres"), database["POSTGRES_DB"].Text("value"), database["POSTGRES_USER"].Text("value"), "$(POSTGRES_PASSWORD)"),
            (postgres.Host, postgres.Port, postgres.Database, postgres.Username, postgres.Password));
        Assert.Equal(database["POSTGRES_PASSWORD"].At("valueFrom")!.ToString(), SiloEnvironment.Single(e => e.Text("name") == "POSTGRES_PASSWORD").At("valueFrom")!.ToString());
        Assert.Equal("admin-key", SiloEnvironment.Single(e => e.Text("name") == "Tenancy__AdminKey").Text("valueFrom", "secretKeyRef", "key"));
    }

    [Fact]
    public void Ports_probes_and_services_match_the_silo()
    {
        var ports = SiloContainer.Items("ports").ToDictionary(p => p.Text("name")!, p => int.Parse(p.Text("containerPort")!, System.Globalization.CultureInfo.InvariantCulture));
        var defaults = new ClusterHostOptions();
        Assert.Equal(int.Parse(Value("Cluster__SiloPort"), System.Globalization.CultureInfo.InvariantCulture), ports["silo"]);
        Assert.Equal(int.Parse(Value("Cluster__GatewayPort"), System.Globalization.CultureInfo.InvariantCulture), ports["gateway"]);
        Assert.Equal((defaults.SiloPort, defaults.GatewayPort), (ports["silo"], ports["gateway"])); // the image exposes these
        var image = File.ReadAllLines(DeployYaml.Dockerfile).Single(l => l.Contains("Urls=", StringComparison.Ordinal));
        Assert.Equal(SiloSettings.PortOf(image.Split('=')[1].TrimEnd('\\', ' ')), ports["http"]);

        foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
        {
            Assert.Equal(("/healthz", "http"), (SiloContainer.Text(probe, "httpGet", "path"), SiloContainer.Text(probe, "httpGet", "port")));
        }

        // Every Service selects the pods of one workload and targets a port those pods name.
        foreach (var service in Documents.Where(d => d.Document.Text("kind") == "Service").Select(d => d.Document))
        {
            var selector = service.Map("spec", "selector");
            var workload = Assert.Single(Documents, d => d.Document.At("spec", "template") is { } t && selector.All(s => t.Map("metadata", "labels").GetValueOrDefault(s.Key) == s.Value)).Document;
            var named = workload.Items("spec", "template", "spec", "containers").SelectMany(c => c.Items("ports")).Select(p => p.Text("name")).ToHashSet();
            Assert.All(service.Items("spec", "ports"), p => Assert.Contains(p.Text("targetPort"), named));
        }

        Assert.Contains(Documents, d => d.Document.Text("kind") == "Service" && d.Document.Items("spec", "ports").Any(p => p.Text("targetPort") == "gateway"));
        Assert.Contains(Documents, d => d.Document.Text("kind") == "Service" && d.Document.Items("spec", "ports").Any(p => p.Text("targetPort") == "http"));
    }

    [Fact]
    public async Task The_readiness_path_answers_200_on_a_running_silo()
    {
        await using var silo = await OrleansTenancy.Silo.Tests.Gateway.GatewayHost.StartAsync();
        using var http = silo.CreateClient();

        using var response = await http.GetAsync(new Uri(SiloContainer.Text("readinessProbe", "httpGet", "path")!, UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A variable set only to be expanded into another (<c>$(NAME)</c>), such as a password from a secret.</summary>
    private static bool IsExpandedLater(string name) =>
        SiloEnvironment.Any(e => (e.Text("value") ?? "").Contains($"$({name})", StringComparison.Ordinal));

    private static string Value(string name) => SiloEnvironment.Single(e => e.Text("name") == name).Text("value")!;

    private static string? FieldRef(string name) => SiloEnvironment.Single(e => e.Text("name") == name).Text("valueFrom", "fieldRef", "fieldPath");

    private static YamlMappingNode Workload(string name) =>
        Assert.Single(Documents, d => d.Document.Text("kind") is "Deployment" or "StatefulSet" && d.Document.Text("metadata", "name") == name).Document;

    private static string ServiceName(string workload) =>
        Assert.Single(Documents, d => d.Document.Text("kind") == "Service" && d.Document.Text("spec", "selector", "app.kubernetes.io/name") == workload).Document.Text("metadata", "name")!;

    private static int ServicePort(string workload) => int.Parse(
        Assert.Single(Documents, d => d.Document.Text("kind") == "Service" && d.Document.Text("spec", "selector", "app.kubernetes.io/name") == workload).Document.Items("spec", "ports").Single().Text("port")!,
        System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Expansion();
}
