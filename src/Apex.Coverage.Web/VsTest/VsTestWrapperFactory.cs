using Microsoft.TestPlatform.VsTestConsole.TranslationLayer;
using Microsoft.TestPlatform.VsTestConsole.TranslationLayer.Interfaces;

namespace Apex.Coverage.Web.VsTest;

/// <summary>Creates the translation-layer wrapper; injected so the runner can be tested without it.</summary>
public interface IVsTestWrapperFactory
{
    IVsTestConsoleWrapper Create();
}

/// <summary>A fresh vstest.console per session: one that died or hung never serves the next run.</summary>
internal sealed class VsTestWrapperFactory(VsTestConsoleLocator locator) : IVsTestWrapperFactory
{
    public IVsTestConsoleWrapper Create() => new VsTestConsoleWrapper(locator.Locate(), new ConsoleParameters());
}
