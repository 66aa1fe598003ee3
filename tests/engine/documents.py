"""Hand-built paragraphs for the engine tests, taken from the real samples.

``CORPUS`` is small enough that every expected count in the contract suite
can be worked out by reading this file. The texts are sentences from
samples/*.txt (the source line is noted next to each); the facet values are
assigned by hand, as the enrichment step would (a003 keeps the defaults:
doc_type and org_type 其他). Only ``a003-0002`` is made
up: no sample contains the HTML-special characters the highlight tests need.

``sample_documents()`` is the bulk corpus for property tests: one document
per non-empty line of the samples, for now. When the parse pipeline lands it
should produce these documents instead.
"""

from __future__ import annotations

from pathlib import Path

from engine.contract import IndexDocument

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

TOWN_A = "archive/城关镇/000_ba0ac14e50997098.txt"
TOWN_B = "archive/茶湖镇/002_085839b73ea06a0d.txt"
SCHOOL = "archive/教育/004_0c8ed3b9e15e8dcd.txt"
MINE = "archive/矿区/003_1b25769b943d4546.txt"

HELP = "困难帮扶与送温暖"
RIGHTS = "维权与劳动关系"
DEMOCRACY = "民主管理与厂务公开"
SAFETY = "安全生产与劳动保护"


def _article(source: str, article_id: str, **facets: object):
    """A factory for paragraphs of one article: position and ids follow the call order."""
    counter = iter(range(1000))

    def paragraph(text: str, *, topics: tuple[str, ...] = (), quality: float = 0.8, **extra: object):
        position = next(counter)
        return IndexDocument(
            paragraph_id=f"{article_id}-{position:04d}",
            article_id=article_id,
            position=position,
            text=text,
            title=str(facets.get("title", "")),
            source_path=source,
            source_sha256=f"sha-{Path(source).stem}",
            topics=topics,
            quality=quality,
            **{k: v for k, v in facets.items() if k != "title"},  # type: ignore[arg-type]
            **extra,  # type: ignore[arg-type]
        )

    return paragraph


_a000 = _article(
    TOWN_A,
    "a000",
    title="城关镇工会2004年上半年工作总结",
    org_level="乡镇街道",
    township="城关镇",
    org_name="城关镇总工会",
    period="上半年",
    year=2004,
    doc_type="总结",
    org_type="工会",
)
_a002 = _article(
    TOWN_B,
    "a002",
    title="乡镇工会工作总结",
    org_level="乡镇街道",
    township="茶湖镇",
    org_name="茶湖镇总工会",
    period="全年",
    year=2012,
    doc_type="总结",
    org_type="工会",
)
_a004a = _article(
    SCHOOL,
    "a004a",
    title="学校工会上半年工作总结",
    org_level="学校教育",
    period="上半年",
    doc_type="计划",
    org_type="工会",
)
_a004b = _article(
    SCHOOL,
    "a004b",
    title="建设局工会上半年工作总结",
    org_level="机关事业",
    org_name="建设局工委",
    period="上半年",
    year=2005,
    doc_type="总结",
    org_type="妇联",
)
_a003 = _article(
    MINE,
    "a003",
    title="物管中心工会半年总结",
    org_level="企业厂矿",
    org_name="物管中心工会",
    period="上半年",
    year=2023,
)

CORPUS: tuple[IndexDocument, ...] = (
    # samples/000 line 3, 4, 5, 8
    _a000(
        "一、职工利益放在首位，在维护权益上下功夫。", topics=(RIGHTS,), quality=0.3, is_heading=True, section_path=()
    ),
    _a000(
        "维护职工合法权益是工会的最基本职能，工会应当把职工利益放在第一位，只有维护好职工的合法权益，"
        "工会才能显示出它应具有的社会地位。",
        topics=(RIGHTS,),
        quality=0.7,
        section_path=("一、职工利益放在首位，在维护权益上下功夫。",),
    ),
    _a000(
        "1、关心好特困职工。特困职工是社会的弱势群体，他们渴望得到社会的关爱。为职工排忧、为群众解难既是工会"
        "组织的责任，更是工会干部的义务。为此，镇工会充分发挥困难职工帮扶工作联络站作用，每当职工遇到病、困或"
        "婚、喪等大事之时，都能及时送去组织的温暖和关怀。对病困职工实行生活上的关心和经济上的帮助。半年来，我"
        "工会共扶助病难职工5人，投入扶助资金1000元；为真实而准确掌握职工情况，切实将扶助困难职工工作落到实处，"
        "近期，我们还在全镇企业中开展了一次调查活动，重点了解各企业困难职工基本情况。此次调查为开展扶贫救助工作"
        "提供了详实的依据，我们将以此为基础，建立职工信息档案，实行网络管理。",
        topics=(HELP,),
        quality=0.9,
        duplicate_key="dup-teku",
        section_path=("一、职工利益放在首位，在维护权益上下功夫。",),
    ),
    _a000(
        "4、抓好安全生产的督查。安全生产工作不仅是对企业财产的保护，更重要的是保护职工的生命安全，职工的生命是"
        "最珍贵的，我们将××花炮厂等 家公司列为安全生产重点企业，同时兼顾其它企业，做到常检查、常督促，使企业"
        "职工在思想上做到应知，行动上做到应会，由于该公司做了大量的前期工作，使该企业的安全生产得到了保证。",
        topics=(SAFETY,),
        quality=0.8,
        section_path=("一、职工利益放在首位，在维护权益上下功夫。",),
    ),
    # samples/002 line 99, 101, 43, 269
    _a002("五、努力为职工送温暖办实事", topics=(HELP,), quality=0.2, is_heading=True),
    _a002(
        "开展送温暖活动,努力为职工排忧解难。首先从思想上高度重视,全乡各工会组织把送温暖工作作为一项民心工程来抓,"
        "一级抓一级,认真部署了相关工作,帮助困难职工解决生产、生活中的突出问题,帮助特困职工解决生产,生活中的实际"
        "问题,把党和政府的关怀送到职工的心坎上。其次作风上深入职工家庭。摸清困难职工的底数,全面了解掌握困难职工"
        "家庭的生活情况基础上,通过重点帮困,结对帮扶,上门慰问等形式,对各类困难职工采取多种方法帮助他们解决实际困难。",
        topics=(HELP,),
        quality=0.9,
        section_path=("五、努力为职工送温暖办实事",),
    ),
    _a002(
        "1、关心好特困职工。特困职工是社会的弱势群体,他们渴望得到社会的关爱。为职工排忧、为群众解难既是工会组织"
        "的责任,更是工会干部的义务。为此,镇工会充分发挥困难职工帮扶工作联络站作用,每当职工遇到病、困或婚、喪等"
        "大事之时,都能及时送去组织的温暖和关怀。对病困职工实行生活上的关心和经济上的帮助。半年来,我工会共扶助病难"
        "职工5人,投入扶助资金1000元;为真实而准确掌握职工情况,切实将扶助困难职工工作落到实处,近期,我们还在全镇企业"
        "中开展了一次调查活动,重点了解各企业困难职工基本情况。此次调查为开展扶贫救助工作提供了详实的依据,我们将以"
        "此为基础,建立职工信息档案,实行网络管理。",
        topics=(HELP,),
        quality=0.9,
        duplicate_key="dup-teku",
    ),
    _a002(
        "为依法保障教职工参与学校民主管理和监督,完善学校制度,促进学校依法治校,依据教育法、教师法、工会法等法律,"
        "我镇教育工会在落实《学校教职工代表大会规定》,要求各校根据相关规定建立和完善教职工代表大会制度。",
        topics=(DEMOCRACY,),
        quality=0.8,
    ),
    # samples/004 line 10, 12
    _a004a(
        "工会鼓励教职工为学校的发展献计献策，调动教职工参政议政的积极性。每次召开教代会，大部分代表都能结合学校"
        "实际和切身利益，向教代会提出一些切实可行的提案，如张柏松、金小华等代表提出的有关改善师生伙食等提案，"
        "都得到了落实。",
        topics=(DEMOCRACY,),
        quality=0.8,
    ),
    _a004a(
        "3、开展多项活动，关心教职工生活，促进教职工身心健康 为庆祝“三八”妇女节，学校工会组织全体女教职员工"
        "40余人去南京梅花山赏梅踏青，愉悦了身心。四月份学校工会组织了退离休教师分组去扬州、南京等地旅游。",
        topics=("文体活动", "女职工工作"),
        quality=0.8,
    ),
    # samples/004 line 25, 36
    _a004b(
        "认真贯彻市政府《关于特困职工帮困解困优惠政策的通知》，落实好扶贫帮困长效机制。关心困难职工家庭、单亲"
        "家庭、因病因灾致困的家庭，把党的温暖送到困难群众的心坎上。",
        topics=(HELP, "劳模工作"),
        quality=0.9,
    ),
    _a004b(
        "3、送温暖活动。按照市直机关工会工委和市总工会关于在XX年元旦、春节期间开展送温暖活动的通知精神，各会员"
        "单位结合本单位的实际，更加广泛、深入地开展了送温暖活动。各单位开展了不同形式的联欢活动，如：召开在职和"
        "退休职工团拜会或座谈会，组织各种文体娱乐活动，走访慰问看望困难职工、退休人员、伤病职工、劳模先进人物等，"
        "送去慰问金或慰问品。",
        topics=(HELP,),
        quality=0.9,
    ),
    # samples/003 line 15, 37, and the made-up web-page remnant
    _a003(
        "二、加强民主管理、坚持民主监督，坚持厂务公开。不断完善了民主管理机制，推动和完善了各种维权机制和工作制度，"
        "包括职代会和财务公开制度。",
        topics=(DEMOCRACY,),
        quality=0.7,
    ),
    _a003(
        "“送温暖”活动，在“元旦、春节”等重大节日对贫困会员进行慰问。把社区工会的工作落到实处。",
        topics=(HELP,),
        quality=0.5,
    ),
    _a003(
        '职工书屋 <script>alert("新书")</script> 上架 & 借阅 <b>工会</b> 活动', topics=("宣传教育与学习",), quality=0.4
    ),
)

#: Ranking pair: the query words 劳动 and 竞赛 adjacent in the longer paragraph, far apart in the
#: shorter one (samples/004 and samples/003, trimmed to one sentence each).
PROXIMITY = (
    _article("archive/prox-near.txt", "prox-near", org_level="县区", period="全年", year=2010)(
        "二是以创新求发展，以管理促效益，大力开展以经济技术创新工程为主体的劳动竞赛。"
    ),
    _article("archive/prox-far.txt", "prox-far", org_level="县区", period="全年", year=2010)(
        "重点学习了《劳动法》，同时还举办了法律知识竞赛。"
    ),
)


def by_id(paragraph_id: str) -> IndexDocument:
    """The corpus paragraph with this id."""
    return next(d for d in (*CORPUS, *PROXIMITY) if d.paragraph_id == paragraph_id)


def sample_documents() -> list[IndexDocument]:
    """Every non-empty, trimmed line of samples/*.txt as one paragraph (the bulk test corpus)."""
    docs: list[IndexDocument] = []
    for path in sorted(SAMPLES.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        for position, text in enumerate(line for line in lines if line):
            docs.append(
                IndexDocument(
                    paragraph_id=f"{path.stem}-{position:04d}",
                    article_id=path.stem,
                    position=position,
                    text=text,
                    title=path.stem,
                    source_path=f"samples/{path.name}",
                    source_sha256=path.stem,
                )
            )
    return docs
