"""The JMS scenario programs (jms/PierJms.java, jms/PierJmsTool.java) on Debian's ActiveMQ 5.17.2 client:
compiled once per session, run with `java(classes, ...)`."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess

import pytest

JMS_DIR = os.path.join(os.path.dirname(__file__), "jms")
CLASSPATH = ":".join(f"/usr/share/java/{jar}.jar" for jar in (
    "activemq-client", "geronimo-jms_1.1_spec", "geronimo-j2ee-management-1.1-spec", "hawtbuf", "slf4j-api", "slf4j-nop"))


@pytest.fixture(scope="session")
def jms_classes(tmp_path_factory):
    """jms/*.java (PierJms, its scenario files, PierJmsTool) compiled once per session (scripts/install-deps.sh test brings javac and the jars)."""
    javac = shutil.which("javac")
    assert javac, "javac not found: run scripts/install-deps.sh test (default-jdk-headless, libactivemq-java)"
    missing = [j for j in CLASSPATH.split(":") if not os.path.exists(j)]
    assert not missing, f"JMS client jars missing: {missing} (scripts/install-deps.sh test)"
    out = tmp_path_factory.mktemp("jms-classes")
    r = subprocess.run([javac, "-d", str(out), "-cp", CLASSPATH,
                        *sorted(glob.glob(os.path.join(JMS_DIR, "*.java")))],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, f"javac failed:\n{r.stdout}\n{r.stderr}"
    return str(out)


def java(classes: str, *args: str) -> list[str]:
    return ["java", "-cp", f"{CLASSPATH}:{classes}", *args]


ACTIVEMQ_JAR = "/usr/share/activemq/bin/activemq.jar"


def activemq_tool(base: str, *args: str) -> list[str]:
    """Debian's `activemq producer|consumer ...` (the console jar /usr/bin/activemq runs), with an
    instance directory `base` of its own whose log4j config sends the tool's report to stdout."""
    assert os.path.exists(ACTIVEMQ_JAR), "ActiveMQ missing: run scripts/install-deps.sh test (activemq)"
    conf = os.path.join(base, "conf")
    os.makedirs(conf, exist_ok=True)
    with open(os.path.join(conf, "log4j.properties"), "w") as f:
        f.write("log4j.rootLogger=INFO, out\n"
                "log4j.appender.out=org.apache.log4j.ConsoleAppender\n"
                "log4j.appender.out.layout=org.apache.log4j.PatternLayout\n"
                "log4j.appender.out.layout.ConversionPattern=%-5p %c{1} %m%n\n")
    return ["java", "-Xmx128M", f"-Dactivemq.classpath={conf}", "-Dactivemq.home=/usr/share/activemq",
            f"-Dactivemq.base={base}", f"-Dactivemq.conf={conf}", f"-Dactivemq.data={os.path.join(base, 'data')}",
            "-jar", ACTIVEMQ_JAR, *args]
