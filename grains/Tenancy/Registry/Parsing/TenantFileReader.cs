using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>Reads a YAML file from disk, turning I/O failures into problems.</summary>
internal static class TenantFileReader
{
    public static YamlNode? ReadRoot(string path, ProblemSink sink)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            sink.Error(0, 0, $"The file cannot be read ({ex.Message}); check that it exists and is readable.");
            return null;
        }

        return YamlDocumentReader.Read(text, sink);
    }
}
