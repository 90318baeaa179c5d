using YamlDotNet.RepresentationModel;
using OrleansTenancy.TestSupport;

namespace OrleansTenancy.Deploy.Tests.Manifests;

/// <summary>The compose file, the Dockerfile and the Kubernetes manifests of <c>deploy/</c>, read as YAML nodes.</summary>
internal static class DeployYaml
{
    public static string Deploy => Path.Combine(RepositoryRoot.Find(), "deploy");

    public static string ComposeFile => Path.Combine(Deploy, "compose", "compose.yaml");

    public static string Dockerfile => Path.Combine(Deploy, "docker", "Dockerfile");

    public static string KubernetesFolder => Path.Combine(Deploy, "kubernetes");

    /// <summary>Every document of <paramref name="file"/>; a parse error names the file and the line.</summary>
    public static IReadOnlyList<YamlMappingNode> Documents(string file)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(file))
        {
            try
            {
                stream.Load(reader);
            }
            catch (YamlDotNet.Core.YamlException error)
            {
                throw new InvalidOperationException($"{file}: {error.Start}: {error.Message}", error);
            }
        }

        return [.. stream.Documents.Select(d => d.RootNode as YamlMappingNode ?? throw new InvalidOperationException($"{file}: a document is not a mapping"))];
    }

    /// <summary>The documents of every manifest of <c>deploy/kubernetes</c> but the kustomization.</summary>
    public static IReadOnlyList<(string File, YamlMappingNode Document)> KubernetesDocuments() =>
        [.. Directory.GetFiles(KubernetesFolder, "*.yaml").Order(StringComparer.Ordinal)
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => Documents(f).Select(d => (Path.GetFileName(f), d)))];

    public static YamlNode? At(this YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode mapping || !mapping.Children.TryGetValue(new YamlScalarNode(key), out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    public static string? Text(this YamlNode node, params string[] path) => (node.At(path) as YamlScalarNode)?.Value;

    public static IEnumerable<YamlNode> Items(this YamlNode node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence ? sequence.Children : [];

    public static IReadOnlyDictionary<string, string> Map(this YamlNode node, params string[] path) =>
        node.At(path) is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => (c.Value as YamlScalarNode)?.Value ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>();
}
