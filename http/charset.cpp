#include "http/charset.h"

#include <iconv.h>

namespace herdpass::http {

Result<std::string> Recode(std::string_view bytes, const char* from, const char* to,
                           const std::string& field) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return Internal(std::string("iconv cannot convert ") + from + " to " + to);
  }
  std::string in(bytes);
  // At most 4 bytes out for each byte in, between UTF-8 and UTF-16.
  std::string out(in.size() * 4 + 4, '\0');
  char* src = in.data();
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  const size_t done = iconv(cd, &src, &src_left, &dst, &dst_left);
  iconv_close(cd);
  if (done == static_cast<size_t>(-1) || src_left != 0) {
    return InvalidArgument(field, std::string("the text is not the ") + from + " it is said to be");
  }
  out.resize(out.size() - dst_left);
  return out;
}

}  // namespace herdpass::http
