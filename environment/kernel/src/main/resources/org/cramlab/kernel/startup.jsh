import java.util.*;
import java.util.function.*;
import java.util.stream.*;
import java.io.*;
import java.math.*;
import java.net.*;
import java.nio.file.*;
import java.util.concurrent.*;
import java.util.regex.*;

import static org.cramlab.kernel.runtime.Display.*;
import static org.cramlab.kernel.runtime.Kernel.*;

void printf(String format, Object... args) {
    System.out.printf(format, args);
}
