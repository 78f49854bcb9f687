"""Task heads (:class:`Head`): each builds its torch module and lowers to the simulator's layers.

Shipped: ``classification`` (pool + fc), ``segmentation`` (FCN-style upsampling head) and ``text`` (1-D backbone
over token embeddings + classification). A new head is a :class:`Head` subclass passed to :func:`register_head`,
in its own file (importing that file registers it).
"""

from nasgym.model.heads.base import Classification, Head, get_head, head_names, one_d_layer, register_head
from nasgym.model.heads.segmentation import Segmentation
from nasgym.model.heads.text import Text

__all__ = ["Classification", "Head", "Segmentation", "Text", "get_head", "head_names", "one_d_layer",
           "register_head"]
