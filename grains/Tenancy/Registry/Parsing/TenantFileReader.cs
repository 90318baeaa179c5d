using System.Text;
using OrleansTenancy.Tenancy.Registry.Yaml;

namespace OrleansTenancy.Tenancy.Registry.Parsing;

/// <summary>Reads a YAML file from disk, turning I/O and encoding failures into problems.</summary>
internal static class TenantFileReader
{
    // Strict decoding: a file saved in another encoding would otherwise load with replacement characters in
    // names and model ids, and fail later in ways far from the cause.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static YamlNode? ReadRoot(string path, ProblemSink sink)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, StrictUtf8);
        }
        catch (DecoderFallbackException)
        {
            sink.Error(0, 0, "The file is not valid UTF-8; save it as UTF-8.");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            sink.Error(0, 0, $"The file cannot be read ({ex.Message}); check that it exists and is readable.");
            return null;
        }

        return YamlDocumentReader.Read(text, sink);
    }
}
